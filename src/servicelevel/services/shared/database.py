"""Operating the database: bring it to the current schema."""

from __future__ import annotations

from pathlib import Path

from servicelevel.db import backup, migrate
from servicelevel.db.session import make_engine
from servicelevel.settings import get_settings


def upgrade_database(url: str | None = None) -> str:
    """Apply every pending migration to ``url`` (default: ``SLM_DATABASE_URL``); returns the
    URL used, without its password."""
    target = url or get_settings().database_url
    migrate.upgrade(target)
    return _safe(target)


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def backup_database(path: Path, url: str | None = None) -> dict[str, int]:
    """Write a logical backup of the database (default: ``SLM_DATABASE_URL``) to ``path``."""
    engine = make_engine(url or get_settings().database_url)
    try:
        return backup.backup(engine, path)
    finally:
        engine.dispose()


def restore_database(path: Path, url: str | None = None) -> dict[str, int]:
    """Restore a backup into an empty database, first migrating it to the backup's schema."""
    target = url or get_settings().database_url
    revision = backup.header_of(path)["revision"]
    migrate.upgrade(target, revision or "base")
    engine = make_engine(target)
    try:
        return backup.restore(engine, path)
    finally:
        engine.dispose()
