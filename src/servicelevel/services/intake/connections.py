"""Connections that pull: a ticket system read page by page into servicelevel, on a schedule
or on demand.

A connection names a source (kind and base URL, :mod:`servicelevel.connectors`), the mapping
that reads its records (shipped or stored), the kind's settings and where its secret is found
(``settings.auth``: ``{kind, username, secret_env | secret_file}``): the secret itself is read
when a pull starts and is never stored. A pull (:func:`run_connection`) reads the pages after
the stored cursor (or from ``backfill_from``); each page's records are mapped and stored
through :mod:`ticket_import` in a savepoint of their own, with the cursor saved in the same
savepoint, so a pull that fails half-way keeps every page stored before the failure and the
next pull resumes after the last one. What is read twice is stored once (ingestion's
fingerprints), and the tickets stored are queued for recomputation as every ingestion does. A
source error is recorded on the run and the connection (state ``failed``, ``last_error``), not
raised. The worker pulls the connections whose interval has elapsed (:func:`queue_due`) and
those a person asked to run now (:func:`request_run`), as jobs of kind :data:`RUN`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.connectors import secrets
from servicelevel.connectors.base import AUTH_KINDS, Auth, ConnectorError, Page, Source
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.registry import SOURCES, build_source
from servicelevel.db.models import Connection, ConnectionRun, Job
from servicelevel.definitions.ticket_mappings import Mapping, map_records
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.intake import records as ticket_import
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound, ServiceError

RUN = "connection_run"  # the job that pulls one connection
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
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
MIN_INTERVAL, MAX_INTERVAL = 60, 7 * 24 * 3600
MAX_SETTINGS = 16 * 1024  # characters of the settings as JSON
MAX_LISTED = 1000
MAX_ERROR = 2000
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


def list_runs(
    session: Session, *, actor: Actor, connection_id: int, limit: int = 50
) -> list[ConnectionRun]:
    """A connection's pulls, newest first."""
    require(actor, "connection.read")
    _get(session, connection_id)
    query = (
        select(ConnectionRun)
        .where(ConnectionRun.connection_id == connection_id)
        .order_by(ConnectionRun.id.desc())
        .limit(min(max(limit, 1), MAX_LISTED))
    )
    return list(session.scalars(query))


def request_run(session: Session, *, actor: Actor, connection_id: int) -> Job:
    """Queue a pull of the connection now (the worker runs it)."""
    require(actor, "connection.manage")
    found = _get(session, connection_id)
    job = jobs.enqueue(
        session, kind=RUN, payload={"connection_id": found.id, "requested_by": actor.user_id}
    )
    audit.record(session, actor, "run_now", found, None, {"job_id": job.id})
    return job


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
    settings = _checked_settings(data.settings)
    auth = _auth_of(settings, resolve=False)
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


def _checked_settings(settings: Any) -> dict[str, Any]:
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


def _auth_of(settings: dict[str, Any], *, resolve: bool) -> Auth:
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


# -- pulling --------------------------------------------------------------------------------


@dataclass
class Pulled:
    """A pull's outcome: its run row and the numbers of the tickets it stored events of."""

    run: ConnectionRun
    tickets: set[str] = field(default_factory=set)


def run_connection(
    session: Session,
    *,
    actor: Actor,
    connection_id: int,
    now: dt.datetime,
    http: HttpClient | None = None,
) -> ConnectionRun:
    """Pull the connection once (see the module docstring); the run row says what happened."""
    return pull(session, actor=actor, connection_id=connection_id, now=now, http=http).run


def pull(
    session: Session,
    *,
    actor: Actor,
    connection_id: int,
    now: dt.datetime,
    http: HttpClient | None = None,
) -> Pulled:
    """:func:`run_connection`, also saying which tickets got new events (for write-back)."""
    require(actor, "connection.manage")
    # one pull of a connection at a time: a second waits here, then resumes from the cursor
    # the first stored (PostgreSQL; SQLite has one writer anyway)
    found = session.get(Connection, connection_id, with_for_update=True, populate_existing=True)
    if found is None:
        raise NotFound("no connection {id}", id=connection_id)
    run = ConnectionRun(connection_id=found.id, started_at=now, outcome="running")
    session.add(run)
    found.state, found.last_run_at = "running", now
    session.flush()
    pulled = Pulled(run)
    client = http or client_for(found.settings)
    try:
        mapping = ticket_mappings_store.mapping_named(session, found.mapping)
        source = source_of(found, client)
        _read(session, actor, found, source, mapping, pulled)
    except (ConnectorError, ServiceError) as exc:
        _finish(found, run, now, _reason(exc))
    else:
        _finish(found, run, now, "")
    finally:
        if http is None:
            client.close()
    audit.record(
        session,
        actor,
        "pull",
        found,
        None,
        {
            "run_id": run.id,
            "outcome": run.outcome,
            "stored": run.stored,
            "error": run.error[:200],
        },
    )
    return pulled


def _read(
    session: Session,
    actor: Actor,
    connection: Connection,
    source: Source,
    mapping: Mapping,
    pulled: Pulled,
) -> None:
    """Store page after page, each with its cursor in a savepoint of its own."""
    since = connection.backfill_from
    for page in source.pages(cursor=connection.cursor, since=since):
        with session.begin_nested():
            _store_page(session, actor, connection, page, mapping, pulled)


def _store_page(
    session: Session,
    actor: Actor,
    connection: Connection,
    page: Page,
    mapping: Mapping,
    pulled: Pulled,
) -> None:
    run = pulled.run
    stored = duplicates = 0
    numbers: set[str] = set()
    step = ticket_import.MAX_RECORDS
    for start in range(0, len(page.records), step):
        batch = page.records[start : start + step]
        result, _ = ticket_import.import_records(
            session, actor=actor, mapping=mapping, records=batch
        )
        stored, duplicates = stored + result.stored, duplicates + result.duplicates
        if result.stored:
            rows, _ = map_records(batch, mapping)
            numbers |= {str(r["ticket"]) for r in rows}
    if page.cursor is not None:
        connection.cursor = page.cursor
    run.pages += 1
    run.records += len(page.records)
    run.stored += stored
    run.duplicates += duplicates
    pulled.tickets |= numbers
    session.flush()


def _reason(exc: Exception) -> str:
    """A failure in words, with the first problems a rejected page named."""
    message = exc.message if isinstance(exc, ServiceError) else str(exc)
    details = getattr(exc, "details", None) or []
    named = [f"record {d.get('row')}: {d.get('message')}" for d in details[:3]]
    return "; ".join([message, *named])[:MAX_ERROR]


def _finish(connection: Connection, run: ConnectionRun, now: dt.datetime, error: str) -> None:
    run.finished_at = now
    run.outcome = "failed" if error else "ok"
    run.error = error
    connection.state = run.outcome
    connection.last_error = error
    if not error:
        connection.last_success_at = now


# -- the worker ------------------------------------------------------------------------------


def queue_due(session: Session, *, now: dt.datetime) -> list[Job]:
    """Queue a pull of every enabled connection whose interval has elapsed since its last
    run (the worker's round); its ``last_run_at`` moves to ``now`` so that no other worker
    queues it again."""
    query = (
        select(Connection)
        .where(Connection.enabled.is_(True), Connection.interval_seconds.is_not(None))
        .order_by(Connection.id)
        .with_for_update(skip_locked=True)
    )
    queued = []
    for found in session.scalars(query):
        interval = dt.timedelta(seconds=found.interval_seconds or 0)
        if found.last_run_at is not None and found.last_run_at + interval > now:
            continue
        found.last_run_at = now
        queued.append(jobs.enqueue(session, kind=RUN, payload={"connection_id": found.id}))
    session.flush()
    return queued


@jobs.handler(RUN)
def run_job(session: Session, job: Job) -> dict[str, Any]:
    """A queued pull (the worker's)."""
    connection_id = int(job.payload["connection_id"])
    return pull_and_write_back(
        session, actor=SYSTEM, connection_id=connection_id, now=dt.datetime.now(dt.UTC)
    )


def pull_and_write_back(
    session: Session, *, actor: Actor, connection_id: int, now: dt.datetime
) -> dict[str, Any]:
    """A pull, then (when the connection writes back) the SLA state of the tickets it stored
    posted to the source; what happened, as the job's result."""
    from servicelevel.services.intake import (
        write_back as connection_write_back,  # here: it imports this module
    )

    pulled = pull(session, actor=actor, connection_id=connection_id, now=now)
    result: dict[str, Any] = {
        "connection_id": connection_id,
        "run_id": pulled.run.id,
        "outcome": pulled.run.outcome,
        "pages": pulled.run.pages,
        "records": pulled.run.records,
        "stored": pulled.run.stored,
        "duplicates": pulled.run.duplicates,
        "error": pulled.run.error,
    }
    found = _get(session, connection_id)
    if found.write_back and pulled.tickets:
        result["written_back"] = connection_write_back.write_back(
            session, actor=actor, connection_id=connection_id, tickets=pulled.tickets, now=now
        )
        if found.last_error.startswith("write-back:"):
            result["write_back_error"] = found.last_error
    return result


def source_of(connection: Connection, http: HttpClient) -> Source:
    """The connection's source with its secret read (for write-back)."""
    return build_source(
        connection.kind,
        base_url=connection.base_url,
        auth=_auth_of(connection.settings, resolve=True),
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


def get_for_system(session: Session, connection_id: int) -> Connection:
    return _get(session, connection_id)
