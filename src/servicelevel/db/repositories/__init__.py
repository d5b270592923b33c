"""All queries live here; services call these, adapters never do."""
