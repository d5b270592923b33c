"""Settings from the environment (prefix ``SLM_``) — one typed place for every knob."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///servicelevel.sqlite3"


class Settings(BaseSettings):
    """``SLM_DATABASE_URL``: SQLite file (the embedded default) or PostgreSQL, e.g.
    ``postgresql+psycopg://user@127.0.0.1:5432/servicelevel``."""

    model_config = SettingsConfigDict(env_prefix="SLM_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # Argon2 cost; the defaults are argon2-cffi's (RFC 9106 low-memory profile). Lower them only
    # for tests, never in production.
    argon2_time_cost: int = 3
    argon2_memory_cost_kib: int = 65_536
    # Signs browser sessions. Unset: a random key kept in ``secret_file`` (made on first use).
    secret_key: str = ""
    # Change requests raised by requirements that exceed the catalog are POSTed here as JSON
    # (an external change-management system); empty: recorded here only.
    change_webhook_url: str = ""
    change_webhook_token: str = ""  # sent as "Authorization: Bearer …" when set
    secret_file: str = "servicelevel.secret"
    # Email notifications go through this SMTP server (empty host: email channels fail and
    # say so on each notice; the other channels are unaffected).
    # Threads per server process for sync endpoints (0: the default of 40).
    threads: int = 0
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "servicelevel@localhost"
    smtp_starttls: bool = False
    smtp_ssl: bool = False

    def secret(self) -> str:
        """The signing key; with several workers they all read the same file."""
        if self.secret_key:
            return self.secret_key
        path = Path(self.secret_file)
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        return path.read_text(encoding="utf-8").strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
