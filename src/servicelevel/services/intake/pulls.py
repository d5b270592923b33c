"""A connection's pulls: its ticket system read page by page into servicelevel, on a schedule
or on demand, and the record of each pull.

A pull (:func:`run_connection`) reads the pages after the connection's stored cursor (or from
``backfill_from``); each page's records are mapped and stored through :mod:`ticket_import` in a
savepoint of their own, with the cursor saved in the same savepoint, so a pull that fails
half-way keeps every page stored before the failure and the next pull resumes after the last
one. What is read twice is stored once (ingestion's fingerprints), and the tickets stored are
queued for recomputation as every ingestion does. A source error is recorded on the run and the
connection (state ``failed``, ``last_error``), not raised. The worker pulls the connections
whose interval has elapsed (:func:`queue_due`) and those a person asked to run now
(:func:`request_run`), as jobs of kind :data:`RUN`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.connectors.base import ConnectorError, Page, Source
from servicelevel.connectors.http import HttpClient
from servicelevel.db.models import Connection, ConnectionRun, Job
from servicelevel.definitions.ticket_mappings import Mapping, map_records
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.intake import connections
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.intake import records as ticket_import
from servicelevel.services.intake import write_back as connection_write_back
from servicelevel.services.intake.connection_settings import client_for, source_of
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import NotFound, ServiceError

RUN = "connection_run"  # the job that pulls one connection


@dataclass
class Pulled:
    """A pull's outcome: its run row and the numbers of the tickets it stored events of."""

    run: ConnectionRun
    tickets: set[str] = field(default_factory=set)


def list_runs(
    session: Session, *, actor: Actor, connection_id: int, limit: int = 50
) -> list[ConnectionRun]:
    """A connection's pulls, newest first."""
    require(actor, "connection.read")
    connections.get_for_system(session, connection_id)
    query = (
        select(ConnectionRun)
        .where(ConnectionRun.connection_id == connection_id)
        .order_by(ConnectionRun.id.desc())
        .limit(min(max(limit, 1), connections.MAX_LISTED))
    )
    return list(session.scalars(query))


def request_run(session: Session, *, actor: Actor, connection_id: int) -> Job:
    """Queue a pull of the connection now (the worker runs it)."""
    require(actor, "connection.manage")
    found = connections.get_for_system(session, connection_id)
    job = jobs.enqueue(
        session, kind=RUN, payload={"connection_id": found.id, "requested_by": actor.user_id}
    )
    audit.record(session, actor, "run_now", found, None, {"job_id": job.id})
    return job


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
    return "; ".join([message, *named])[: connections.MAX_ERROR]


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
    found = connections.get_for_system(session, connection_id)
    if found.write_back and pulled.tickets:
        result["written_back"] = connection_write_back.write_back(
            session, actor=actor, connection_id=connection_id, tickets=pulled.tickets, now=now
        )
        if found.last_error.startswith("write-back:"):
            result["write_back_error"] = found.last_error
    return result
