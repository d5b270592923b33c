"""Review pages (SLM5): meetings and the register, improvement plans and actions, satisfaction
surveys answered and their policies."""
