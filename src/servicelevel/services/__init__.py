"""Use cases: each owns its transaction, checks its permission and writes its audit row."""
