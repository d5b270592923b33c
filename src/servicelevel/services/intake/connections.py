"""Connections: the ticket systems servicelevel pulls from, as a person manages them.

A connection names a source (kind and base URL, :mod:`servicelevel.connectors`), the mapping
that reads its records (shipped or stored), how often it is pulled, the kind's settings and
where its secret is found (:mod:`connection_settings`: the secret itself is never stored).
Each field is checked when the connection is saved, a mistake naming its field; running its
pulls is :mod:`pulls`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.connectors.base import ConnectorError
from servicelevel.connectors.registry import SOURCES, build_source
from servicelevel.db.models import Connection
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.intake.connection_settings import (
    auth_of,
    checked_settings,
    client_for,
    kind_settings,
)
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

FIELDS = (
    "name",
    "kind",
    "base_url",
    "mapping",
    "settings",
    "interval_seconds",
    "backfill_from",
    "enabled",
    "write_back",
)
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
MIN_INTERVAL, MAX_INTERVAL = 60, 7 * 24 * 3600
MAX_LISTED = 1000
MAX_ERROR = 2000  # characters of a failure kept on the connection and its runs


@dataclass(frozen=True)
class ConnectionData:
    """What a person says about a connection (``settings.auth`` names where the secret is)."""

    name: str
    kind: str
    base_url: str
    mapping: str
    settings: dict[str, Any] = field(default_factory=dict)
    interval_seconds: int | None = None  # None: pulled on demand only
    backfill_from: dt.datetime | None = None
    enabled: bool = True
    write_back: bool = False


def create_connection(session: Session, *, actor: Actor, data: ConnectionData) -> Connection:
    require(actor, "connection.manage")
    name = _checked_name(data.name)
    if _by_name(session, name) is not None:
        raise Conflict("a connection named {name} exists already", "name", name=name)
    made = Connection(name=name, **_checked(session, data))
    session.add(made)
    audit.record(session, actor, "create", made, None, audit.snapshot(made, FIELDS))
    return made


def list_connections(session: Session, *, actor: Actor) -> list[Connection]:
    require(actor, "connection.read")
    query = select(Connection).order_by(Connection.name).limit(MAX_LISTED)
    return list(session.scalars(query))


def get_connection(session: Session, *, actor: Actor, connection_id: int) -> Connection:
    require(actor, "connection.read")
    return _get(session, connection_id)


def connection_named(session: Session, *, actor: Actor, name: str) -> Connection:
    """The connection of that name (the CLI names connections)."""
    require(actor, "connection.read")
    found = _by_name(session, name)
    if found is None:
        raise NotFound("no connection {name}", name=name)
    return found


def update_connection(
    session: Session,
    *,
    actor: Actor,
    connection_id: int,
    lock_version: int,
    changes: dict[str, Any],
    reset_cursor: bool = False,
) -> Connection:
    """Change some of a connection's fields (:data:`FIELDS` but its name);
    ``reset_cursor`` makes the next pull start again from ``backfill_from`` (what was stored
    before is not stored twice)."""
    require(actor, "connection.manage")
    found = _get(session, connection_id)
    audit.check_version(found, lock_version)
    unknown = sorted(set(changes) - set(FIELDS[1:]))
    if unknown:
        raise Invalid("{name} cannot be changed", unknown[0], name=unknown[0])
    current = {f: getattr(found, f) for f in FIELDS}
    merged = ConnectionData(**{**current, **changes})
    before = {**audit.snapshot(found, FIELDS), "cursor": found.cursor}
    for key, value in _checked(session, merged).items():
        setattr(found, key, value)
    if reset_cursor:
        found.cursor = None
    audit.record_update(
        session, actor, found, before, {**audit.snapshot(found, FIELDS), "cursor": found.cursor}
    )
    return found


def delete_connection(session: Session, *, actor: Actor, connection_id: int) -> None:
    """Forget a connection and its runs (the tickets it stored stay)."""
    require(actor, "connection.manage")
    found = _get(session, connection_id)
    audit.record(session, actor, "delete", found, audit.snapshot(found, FIELDS), None)
    session.delete(found)
    session.flush()


def _get(session: Session, connection_id: int) -> Connection:
    found = session.get(Connection, connection_id)
    if found is None:
        raise NotFound("no connection {id}", id=connection_id)
    return found


def stored(session: Session, name: str) -> Connection | None:
    """The connection of that name, if there is one (``slm apply`` finds documents' objects)."""
    return session.scalars(select(Connection).where(Connection.name == name)).first()


_by_name = stored


def _checked_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not NAME.fullmatch(name):
        raise Invalid(
            "a connection's name is 1 to 64 lower-case letters, digits, - or _, from a letter "
            "or digit",
            "name",
        )
    return name


def _checked(session: Session, data: ConnectionData) -> dict[str, Any]:
    """The stored fields of ``data`` (but the name), each checked; a mistake names its field."""
    if data.kind not in SOURCES:
        raise Invalid(
            "kind must be one of {kinds}", "kind", kinds=", ".join(sorted(SOURCES)) or "none"
        )
    url = _checked_url(data.base_url)
    try:
        ticket_mappings_store.mapping_named(session, data.mapping)
    except NotFound as exc:
        raise Invalid(exc.message, "mapping") from None
    settings = checked_settings(data.settings)
    auth = auth_of(settings, resolve=False)
    try:  # the kind reads its own settings: a mistake is named now, not at the first pull
        with client_for(settings) as http:
            build_source(
                data.kind, base_url=url, auth=auth, settings=kind_settings(settings), http=http
            )
    except ConnectorError as exc:
        raise Invalid(str(exc), "settings") from None
    interval = data.interval_seconds
    if interval is not None and not (
        isinstance(interval, int) and MIN_INTERVAL <= interval <= MAX_INTERVAL
    ):
        raise Invalid(
            "interval_seconds is empty (on demand only) or from {low} to {high}",
            "interval_seconds",
            low=MIN_INTERVAL,
            high=MAX_INTERVAL,
        )
    if data.write_back and not hasattr(SOURCES[data.kind], "write_back"):
        raise Invalid("a {kind} source cannot write back", "write_back", kind=data.kind)
    backfill = data.backfill_from
    if backfill is not None and (backfill.tzinfo is None or not 1971 <= backfill.year <= 2199):
        raise Invalid("backfill_from is an instant with a UTC offset", "backfill_from")
    return {
        "kind": data.kind,
        "base_url": url,
        "mapping": data.mapping,
        "settings": settings,
        "interval_seconds": interval,
        "backfill_from": backfill,
        "enabled": bool(data.enabled),
        "write_back": bool(data.write_back),
    }


def _checked_url(url: str) -> str:
    url = url.strip() if isinstance(url, str) else ""
    parts = urlsplit(url)
    if len(url) > 1000 or parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("base_url is an http:// or https:// address", "base_url")
    if parts.username or parts.password:
        raise Invalid("base_url must not carry credentials: name them in settings.auth", "base_url")
    return url


def get_for_system(session: Session, connection_id: int) -> Connection:
    return _get(session, connection_id)
