"""Alembic environment: batch mode so that SQLite can alter tables, naming from the models."""

from __future__ import annotations

from alembic import context

import servicelevel.db.models  # noqa: F401  (registers every table)
from servicelevel.db.base import Base
from servicelevel.db.session import make_engine

config = context.config
url = config.get_main_option("sqlalchemy.url") or ""
connectable = config.attributes.get("connection")


def run() -> None:
    if connectable is not None:
        _migrate(connectable)
        return
    engine = make_engine(url)
    with engine.connect() as connection:
        _migrate(connection)
    engine.dispose()


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
