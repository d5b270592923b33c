"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect

from servicelevel.db import migrate
from servicelevel.db.base import Base


def test_migrations_match_the_models(database_url: str) -> None:
    migrate.check(database_url)  # alembic check: no difference between models and schema


def test_every_model_table_exists(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_downgrade_to_nothing_and_back(database_url: str, engine: Engine) -> None:
    migrate.downgrade(database_url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate.upgrade(database_url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
