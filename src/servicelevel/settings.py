"""Settings from the environment (prefix ``SLM_``) — one typed place for every knob."""

from __future__ import annotations

import hashlib
import os
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
    # Signs browser sessions and encrypts notification channels' secrets. Unset: a random key
    # kept in ``secret_file`` (made on first use), by default outside any working tree:
    # ``$XDG_DATA_HOME/servicelevel/secret`` (``~/.local/share/servicelevel/secret``).
    secret_key: str = ""
    # Keys used before the current one (comma-separated), to read channel secrets encrypted
    # under them while a key is being rotated (sessions signed with them end at once).
    previous_secret_keys: str = ""
    # Change requests raised by requirements that exceed the catalog are POSTed here as JSON
    # (an external change-management system); empty: recorded here only.
    change_webhook_url: str = ""
    change_webhook_token: str = ""  # sent as "Authorization: Bearer …" when set
    secret_file: str = ""
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
    # Mark the session cookie Secure on every answer (behind a TLS-terminating proxy that does
    # not say so); without it the cookie is Secure when the request came over https.
    cookie_secure: bool = False
    # Believe the X-Forwarded-Proto header (set it only behind a proxy that sets the header).
    trust_forwarded_proto: bool = False
    # Hostile input: the largest YAML text read (forms, files), the largest request body
    # (import routes: ``max_import_body_bytes``), and how far in the future a ticket event may
    # be dated (seconds; clocks disagree a little, a year-2030 event is a mistake).
    yaml_max_bytes: int = 256 << 10
    max_body_bytes: int = 1 << 20
    # (The largest 5,000-row batch of the ServiceNow log is 4.6 MB as JSON; a batch of 5,000
    # events with every field at its longest in Chinese is 12.1 MB.)
    max_import_body_bytes: int = 16 << 20
    future_skew_seconds: int = 86_400

    def secret(self) -> str:
        """The deployment's key; with several workers they all read the same file.

        Raises :class:`InsecureKeyError` for a key anyone can read: one published in the
        project's repository, or a key file inside a git working tree or inside the package."""
        return _load_secret(self.secret_key, self.secret_file)

    def previous_secrets(self) -> list[str]:
        return [k.strip() for k in self.previous_secret_keys.split(",") if k.strip()]


class InsecureKeyError(ValueError):
    """The deployment's key is public, or kept where it would become public."""


# SHA-256 of keys that were published (committed to the project's repository): never trusted.
PUBLISHED_KEYS = frozenset({"dfd862089022d69743cbf40e695f4018d6a58bba327cd8c72730db22392e9847"})
PACKAGE = Path(__file__).resolve().parent


def default_secret_file() -> Path:
    """``$XDG_DATA_HOME/servicelevel/secret``, else ``~/.local/share/servicelevel/secret``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "servicelevel" / "secret"


@lru_cache(maxsize=8)
def _load_secret(key: str, file: str) -> str:
    if key:
        _refuse_published(key, "SLM_SECRET_KEY")
        return key
    path = (Path(file).expanduser() if file else default_secret_file()).absolute()
    _refuse_place(path)
    if not path.exists():
        _create_key_file(path)
    found = path.read_text(encoding="utf-8").strip()
    if not found:
        raise InsecureKeyError(f"the key file {path} is empty; delete it to have a key made")
    _refuse_published(found, str(path))
    return found


def _refuse_published(key: str, where: str) -> None:
    if hashlib.sha256(key.encode()).hexdigest() in PUBLISHED_KEYS:
        raise InsecureKeyError(
            f"the key in {where} was published with servicelevel's source and signs nothing "
            "here: remove it (a new key is made in the key file) or set another SLM_SECRET_KEY"
        )


def _refuse_place(path: Path) -> None:
    """A key file never lives in a git working tree (it would be committed, as one was) nor
    inside the installed package (shipped with it)."""
    resolved = path.resolve()
    if resolved.is_relative_to(PACKAGE):
        raise InsecureKeyError(f"the key file {path} is inside the servicelevel package")
    for folder in resolved.parents:
        if (folder / ".git").exists():
            raise InsecureKeyError(
                f"the key file {path} is inside the git working tree {folder}: keep it "
                "elsewhere (SLM_SECRET_FILE) or leave SLM_SECRET_FILE unset for "
                f"{default_secret_file()}"
            )


def _create_key_file(path: Path) -> None:
    """Made once, readable by its owner only, and whole: written aside then linked into place,
    so a worker that loses the race reads the winner's key, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(secrets.token_urlsafe(48))
        os.link(aside, path)
    except FileExistsError:
        pass
    finally:
        aside.unlink()


@lru_cache
def get_settings() -> Settings:
    return Settings()
