"""Review pages (SLM5): meetings and the register, improvement plans and actions, satisfaction
surveys — results recorded, answers to invitations, policies."""
