"""Reviews (SLM5): meetings and their agendas and register, improvement plans and actions,
satisfaction surveys sent and their results."""
