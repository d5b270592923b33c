"""Persistence: SQLAlchemy models, the connection, migrations. Queries live in repositories."""
