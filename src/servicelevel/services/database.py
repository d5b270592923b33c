"""Operating the database: bring it to the current schema."""

from __future__ import annotations

from servicelevel.db import migrate
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
