"""Settings from the environment (prefix ``SLM_``) — one typed place for every knob."""

from __future__ import annotations

from functools import lru_cache

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
