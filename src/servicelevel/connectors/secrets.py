"""Where a connection may read its secrets from: the one policy, for every connector.

A connection names where its secret is — an environment variable of the process that pulls,
or a file — and never holds the secret itself. Whoever may manage connections (a service level
manager) is not thereby an administrator of the server, so the names are limited: otherwise a
connection to an address of their choosing could send them servicelevel's own key or database
password (``SLM_SECRET_KEY``, ``SLM_DATABASE_URL``) or any file the worker can read.

* A variable may not be one of servicelevel's own settings (``SLM_…``); when the deployment
  lists the variables connections may read (``SLM_CONNECTOR_SECRET_ENV``, comma-separated),
  only those.
* A file must lie, once links are followed, in the connectors' secrets directory
  (``SLM_CONNECTOR_SECRETS_DIR``; by default ``$XDG_CONFIG_HOME/servicelevel/connector-secrets``
  or ``~/.config/servicelevel/connector-secrets``).
"""

from __future__ import annotations

import os
from pathlib import Path

from servicelevel.connectors.base import ConnectorError

MAX_SECRET = 8192
OWN_PREFIX = "SLM_"


def secrets_dir() -> Path:
    """The directory secret files must lie in."""
    chosen = os.environ.get("SLM_CONNECTOR_SECRETS_DIR", "").strip()
    if chosen:
        return Path(chosen).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "servicelevel" / "connector-secrets"


def env_problem(name: str) -> str | None:
    """Why a connection may not read this environment variable (None: it may)."""
    if name.upper().startswith(OWN_PREFIX):
        return (
            f"{name} is one of servicelevel's own settings (SLM_…), which hold its key and "
            "passwords: name another variable"
        )
    allowed = os.environ.get("SLM_CONNECTOR_SECRET_ENV", "")
    listed = {n.strip() for n in allowed.split(",") if n.strip()}
    if listed and name not in listed:
        return f"{name} is not among the variables this deployment lets connections read"
    return None


def file_problem(path: str) -> str | None:
    """Why a connection may not read this file (None: it may)."""
    if not Path(path).is_absolute():
        return f"{path} is not an absolute path"
    inside = secrets_dir().resolve()
    if not Path(path).resolve().is_relative_to(inside):
        return f"{path} is not in the connectors' secrets directory {inside}"
    return None


def read_secret(*, env: str | None = None, path: str | None = None, what: str = "secret") -> str:
    """The secret, read now from where the settings say (a :class:`ConnectorError` naming the
    place when it may not be read, cannot be read or is empty; never the secret)."""
    if env:
        problem = env_problem(env)
        if problem:
            raise ConnectorError(f"the {what}'s environment variable: {problem}")
        value = os.environ.get(env, "")
        if not value:
            raise ConnectorError(
                f"the {what}'s environment variable {env} is not set in the worker's environment"
            )
        return value[:MAX_SECRET]
    if not path:
        raise ConnectorError(f"name where the {what} is: an environment variable or a file")
    problem = file_problem(path)
    if problem:
        raise ConnectorError(f"the {what}'s file: {problem}")
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read(MAX_SECRET + 1).strip()
    except OSError as exc:
        raise ConnectorError(f"the {what}'s file {path} cannot be read: {exc.strerror}") from None
    if not value:
        raise ConnectorError(f"the {what}'s file {path} is empty")
    return value[:MAX_SECRET]
