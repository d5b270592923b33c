"""A connection's settings: checked when a person saves them, and turned into the source a
pull reads.

``settings.auth`` names the credentials' kind and where the secret is found
(``{kind, username, secret_env | secret_file}``): the secret itself is never stored, and is
read only when a source is built for a pull or a write-back (:func:`source_of`).
``settings.http`` says how politely and how persistently the source is asked
(:func:`client_for`); the rest are the kind's own settings (:func:`kind_settings`), which the
kind reads itself (:mod:`servicelevel.connectors`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from servicelevel.connectors import secrets
from servicelevel.connectors.base import AUTH_KINDS, Auth, Source
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.registry import build_source
from servicelevel.db.models import Connection
from servicelevel.services.shared.errors import Invalid

ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MAX_SETTINGS = 16 * 1024  # characters of the settings as JSON
SECRET_KEYS = ("secret", "password", "token", "api_key", "apikey")
AUTH_KEYS = ("kind", "username", "secret_env", "secret_file", "header")
# settings.http: how politely and how persistently the source is asked (the framework's, not
# the kind's): seconds between requests (a rate limit), retries of 5xx/429/lost connections,
# seconds to wait for an answer
HTTP_LIMITS: dict[str, tuple[float, float]] = {
    "min_interval": (0.0, 60.0),
    "retries": (0, 10),
    "timeout": (1.0, 300.0),
}


def checked_settings(settings: Any) -> dict[str, Any]:
    """The settings as stored, ``settings.auth`` and ``settings.http`` checked (a mistake names
    its setting); the kind's own settings are checked by the kind."""
    if not isinstance(settings, dict):
        raise Invalid("settings is a JSON object", "settings")
    if len(json.dumps(settings, default=str)) > MAX_SETTINGS:
        raise Invalid("settings are longer than {limit} characters", "settings", limit=MAX_SETTINGS)
    auth = settings.get("auth", {"kind": "none"})
    if not isinstance(auth, dict):
        raise Invalid("settings.auth is a JSON object", "settings.auth")
    kept = [k for k in auth if str(k).lower() in SECRET_KEYS]
    if kept:
        raise Invalid(
            "a secret is never stored: name the environment variable (secret_env) or the file "
            "(secret_file) it is read from",
            f"settings.auth.{kept[0]}",
        )
    unknown = sorted(str(k) for k in auth if k not in AUTH_KEYS)
    if unknown:
        raise Invalid(
            "settings.auth.{key} is not known (kind, username, secret_env, secret_file, header)",
            f"settings.auth.{unknown[0]}",
            key=unknown[0],
        )
    kind = auth.get("kind", "none")
    if kind not in AUTH_KINDS:
        raise Invalid(
            "settings.auth.kind must be one of {kinds}",
            "settings.auth.kind",
            kinds=", ".join(AUTH_KINDS),
        )
    _check_secret_place(auth, kind)
    _check_http(settings.get("http", {}))
    return {**settings, "auth": {"kind": kind, **{k: v for k, v in auth.items() if k != "kind"}}}


def _check_secret_place(auth: dict[str, Any], kind: str) -> None:
    env, path = auth.get("secret_env"), auth.get("secret_file")
    if kind == "none":
        return
    if (env is None) == (path is None):
        raise Invalid(
            "settings.auth names where its secret is: secret_env or secret_file (one of them)",
            "settings.auth.secret_env",
        )
    if env is not None and not (isinstance(env, str) and ENV_NAME.fullmatch(env)):
        raise Invalid(
            "settings.auth.secret_env is the name of an environment variable",
            "settings.auth.secret_env",
        )
    if path is not None and not (
        isinstance(path, str) and len(path) <= 1000 and Path(path).is_absolute()
    ):
        raise Invalid(
            "settings.auth.secret_file is an absolute path to a file outside the project",
            "settings.auth.secret_file",
        )
    problem = secrets.env_problem(env) if env else secrets.file_problem(str(path))
    if problem:
        field = "settings.auth.secret_env" if env else "settings.auth.secret_file"
        raise Invalid("{setting}: {problem}", field, setting=field, problem=problem)
    for key in ("username", "header"):
        if not isinstance(auth.get(key, ""), str) or len(auth.get(key, "")) > 200:
            raise Invalid("settings.auth.{key} is a text", f"settings.auth.{key}", key=key)


def _check_http(chosen: Any) -> None:
    if not isinstance(chosen, dict):
        raise Invalid("settings.http is a JSON object", "settings.http")
    for key, value in chosen.items():
        limits = HTTP_LIMITS.get(str(key))
        if limits is None:
            raise Invalid(
                "settings.http has min_interval, retries and timeout only", f"settings.http.{key}"
            )
        low, high = limits
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not low <= value <= high or (key == "retries" and value != int(value)):
            raise Invalid(
                "a number from {low} to {high}", f"settings.http.{key}", low=low, high=high
            )


def auth_of(settings: dict[str, Any], *, resolve: bool) -> Auth:
    """The connection's credentials; with ``resolve``, the secret read from where it is
    (a missing one is a :class:`ConnectorError` naming where it was looked for)."""
    auth = settings.get("auth") or {"kind": "none"}
    kind = auth.get("kind", "none")
    secret = _secret(auth) if resolve and kind != "none" else ""
    return Auth(
        kind=kind,
        username=str(auth.get("username", "")),
        secret=secret,
        header=str(auth.get("header") or "Authorization"),
    )


def _secret(auth: dict[str, Any]) -> str:
    env, path = auth.get("secret_env"), auth.get("secret_file")
    return secrets.read_secret(env=str(env) if env else None, path=str(path) if path else None)


def source_of(connection: Connection, http: HttpClient) -> Source:
    """The connection's source with its secret read (for a pull or a write-back)."""
    return build_source(
        connection.kind,
        base_url=connection.base_url,
        auth=auth_of(connection.settings, resolve=True),
        settings=kind_settings(connection.settings),
        http=http,
    )


def client_for(settings: dict[str, Any]) -> HttpClient:
    """The HTTP client ``settings.http`` asks for (defaults: no pause, 4 retries, 30 s)."""
    chosen = settings.get("http") or {}
    return HttpClient(
        min_interval=float(chosen.get("min_interval", 0.0)),
        retries=int(chosen.get("retries", 4)),
        timeout=float(chosen.get("timeout", 30.0)),
    )


def kind_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings the source's kind reads (the framework's ``http`` left out)."""
    return {k: v for k, v in settings.items() if k != "http"}
