"""Settings from the environment (prefix ``SLM_``) — one typed place for every knob."""

from __future__ import annotations

import hashlib
import os
import secrets
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

from servicelevel.definitions.source import YAML_MAX_BYTES

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
    # Signs browser sessions and encrypts notification channels' secrets (32 characters or
    # more). Unset: a random key kept in ``secret_file`` (made by ``slm serve`` or
    # ``slm key create``, never by other commands), by default outside any working tree:
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
    # Where people reach this server: the start of links sent by mail (survey invitations).
    public_url: str = "http://localhost:8000"
    # Mark the session cookie Secure on every answer (behind a TLS-terminating proxy that does
    # not say so); without it the cookie is Secure when the request came over https.
    cookie_secure: bool = False
    # With cookie_secure, HSTS also covers every subdomain (only if all of them serve https).
    hsts_include_subdomains: bool = False
    # Believe the X-Forwarded-Proto header (set it only behind a proxy that sets the header).
    trust_forwarded_proto: bool = False
    # Hostile input: the largest YAML text read (forms, files), the largest request body
    # (import routes: ``max_import_body_bytes``), and how far in the future a ticket event may
    # be dated (seconds; clocks disagree a little, a year-2030 event is a mistake).
    yaml_max_bytes: int = YAML_MAX_BYTES
    max_body_bytes: int = 1 << 20
    # (The largest 5,000-row batch of the ServiceNow log is 4.6 MB as JSON; a batch of 5,000
    # events with every field at its longest in Chinese is 12.1 MB.)
    max_import_body_bytes: int = 16 << 20
    future_skew_seconds: int = 86_400
    # Words for the ticket states and events your source system sends, per language (a YAML
    # file shaped like servicelevel/i18n/ticket_words.yaml; its entries add to and win over
    # that file's). Empty: the built-in words only. See docs/monitoring.md.
    ticket_words: str = ""

    def secret(self, *, create: bool = False) -> str:
        """The deployment's key; with several workers they all read the same file.

        Only ``create`` makes a missing key file (``slm serve`` and ``slm key create`` do):
        any other process (``slm worker``, ``slm db upgrade``, another user's shell) refuses
        with :class:`KeyFileError` naming the file, instead of making a second key under its
        own home that the server never reads. Raises :class:`InsecureKeyError` for a key
        anyone can read: one published in the project's repository, shorter than
        ``MIN_KEY_LENGTH``, or a key file git would track or inside the package."""
        return _load_secret(self.secret_key, self.secret_file, create)

    def secret_path(self) -> Path | None:
        """Where the key file is (None when ``SLM_SECRET_KEY`` gives the key)."""
        return None if self.secret_key else _secret_path(self.secret_file)

    def previous_secrets(self) -> list[str]:
        return [k.strip() for k in self.previous_secret_keys.split(",") if k.strip()]


class KeyFileError(ValueError):
    """The deployment's key cannot be found or kept where the settings say (a missing key
    file, no home directory, a folder that cannot be written)."""


class InsecureKeyError(KeyFileError):
    """The deployment's key is public, too short, or kept where it would become public."""


# SHA-256 of keys that were published (committed to the project's repository): never trusted.
PUBLISHED_KEYS = frozenset({"dfd862089022d69743cbf40e695f4018d6a58bba327cd8c72730db22392e9847"})
PACKAGE = Path(__file__).resolve().parent
MIN_KEY_LENGTH = 32
HINT = (
    "set SLM_SECRET_FILE to a file outside any git working tree (or SLM_SECRET_KEY to a "
    f"random text of {MIN_KEY_LENGTH} characters or more)"
)


def default_secret_file() -> Path:
    """``$XDG_DATA_HOME/servicelevel/secret``, else ``~/.local/share/servicelevel/secret``.

    A relative ``XDG_DATA_HOME`` is ignored (the XDG base directory specification says so).
    Raises :class:`KeyFileError` when there is no home directory to keep it in."""
    xdg = os.environ.get("XDG_DATA_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "servicelevel" / "secret"
    try:
        home = Path.home()
    except (RuntimeError, KeyError) as exc:  # HOME unset and the user has no passwd entry
        raise KeyFileError(f"no home directory to keep the key file in ({exc}): {HINT}") from None
    return home / ".local" / "share" / "servicelevel" / "secret"


def _secret_path(file: str) -> Path:
    return (Path(file).expanduser() if file else default_secret_file()).absolute()


@lru_cache(maxsize=8)
def _load_secret(key: str, file: str, create: bool) -> str:
    if key:
        _refuse_weak(key, "SLM_SECRET_KEY")
        return key
    path = _secret_path(file)
    _refuse_place(path)
    if not path.exists():
        if not create:
            raise KeyFileError(
                f"no key file at {path}: start `slm serve` once or run `slm key create` as "
                "the user the server runs as (with the same SLM_SECRET_FILE / HOME), or set "
                "SLM_SECRET_KEY"
            )
        _create_key_file(path)
    try:
        found = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"cannot read the key file {path} ({exc}): {HINT}") from None
    if not found:
        raise InsecureKeyError(f"the key file {path} is empty; delete it to have a key made")
    _refuse_weak(found, str(path))
    return found


def _refuse_weak(key: str, where: str) -> None:
    if hashlib.sha256(key.encode()).hexdigest() in PUBLISHED_KEYS:
        raise InsecureKeyError(
            f"the key in {where} was published with servicelevel's source and signs nothing "
            "here: remove it (a new key is made in the key file) or set another SLM_SECRET_KEY"
        )
    if len(key) < MIN_KEY_LENGTH:
        raise InsecureKeyError(
            f"the key in {where} has {len(key)} characters; a key needs at least "
            f"{MIN_KEY_LENGTH} (random ones: python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )


def _refuse_place(path: Path) -> None:
    """A key file never lives inside the installed package (shipped with it), nor where git
    would track it: in a working tree that does not ignore it (as one was committed). A home
    directory that is itself a repository (dotfiles) is fine when it ignores the file."""
    resolved = path.resolve()
    if resolved.is_relative_to(PACKAGE):
        raise InsecureKeyError(f"the key file {path} is inside the servicelevel package")
    tree = next((f for f in resolved.parents if (f / ".git").exists()), None)
    if tree is not None and not _git_ignores(tree, resolved):
        raise InsecureKeyError(
            f"the key file {path} is inside the git working tree {tree}, which does not "
            "ignore it: add it to that tree's .gitignore (or .git/info/exclude), or "
            f"{HINT}"
        )


def _git_ignores(tree: Path, path: Path) -> bool:
    """Whether git, asked in ``tree``, ignores ``path`` (and does not track it); without git,
    or when git cannot say, no."""
    git = shutil.which("git")
    if git is None:
        return False
    try:
        asked = subprocess.run(
            [git, "check-ignore", "-q", "--", str(path)],
            cwd=tree,
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return asked.returncode == 0


def _create_key_file(path: Path) -> None:
    """Made once, readable by its owner only, and whole: written aside then linked into place,
    so a worker that loses the race reads the winner's key, never a half-written one."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise KeyFileError(f"cannot make the key file {path} ({exc.strerror}): {HINT}") from None
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
