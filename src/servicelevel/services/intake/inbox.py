"""Ticket events accepted now, stored by the worker: for feeds that send one event a request.

Storing an event at once costs about ten statements (the ticket, its fingerprints, the event,
the ticket's summary, the recomputation job, the audit row); a live feed sending events one by
one wants an answer in milliseconds. :func:`accept` writes the request down in one row and answers
with its id; the worker's :func:`drain` stores the waiting requests together through the batch path
(:func:`servicelevel.services.intake.ingestion.ingest`) — idempotent and order-tolerant as ever. A
request is stored or rejected as a whole: when a combined batch holds a bad event, the requests are
stored one by one, so one sender's mistake never rejects another's events. The outcome of each
request is kept on its row (``GET /api/v1/ticket-events/queue/{id}``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import EventInbox
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.intake import ingestion
from servicelevel.services.intake.events import EventData, checked_source
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound, ServiceError

BATCH = 5000  # events stored together at most (the batch path's limit)


def accept(
    session: Session,
    *,
    actor: Actor,
    source: str,
    events: list[EventData],
    now: dt.datetime | None = None,
) -> int:
    """Write the request down for the worker; returns its id in the queue."""
    require(actor, "ticket.write")
    source = checked_source(source)
    if not events:
        raise Invalid("send at least one event", "events")
    moment = now or dt.datetime.now(dt.UTC)
    rows = [_as_json(e) for e in events]
    return repo.add_to_inbox(session, source, rows, moment, actor.user_id)


def _as_json(e: EventData) -> dict[str, Any]:
    row = asdict(e)
    row["at"] = e.at.isoformat()
    return row


def _event(row: dict[str, Any]) -> EventData:
    return EventData(**{**row, "at": dt.datetime.fromisoformat(row["at"])})


def get(session: Session, *, actor: Actor, inbox_id: int) -> EventInbox:
    """A queued request and its outcome (for those who may send events)."""
    require(actor, "ticket.write")
    found = repo.inbox_by_id(session, inbox_id)
    if found is None:
        raise NotFound("no queued request {id}", id=inbox_id)
    return found


def drain(session: Session, *, now: dt.datetime, limit: int = 2000) -> dict[str, int]:
    """Store the oldest waiting requests (claimed with ``SKIP LOCKED``: workers share them);
    the caller commits. Returns how many requests were stored and rejected."""
    counts = {"stored": 0, "rejected": 0}
    by_source: dict[str, list[EventInbox]] = defaultdict(list)
    for row in repo.claim_inbox(session, limit):
        by_source[row.source].append(row)
    for source, rows in by_source.items():
        for group in _groups(rows):
            _store_group(session, source, group, now, counts)
    session.flush()
    return counts


def _groups(rows: list[EventInbox]) -> list[list[EventInbox]]:
    """Consecutive requests with at most :data:`BATCH` events between them."""
    groups: list[list[EventInbox]] = [[]]
    size = 0
    for row in rows:
        n = len(row.events.get("items", []))
        if groups[-1] and size + n > BATCH:
            groups.append([])
            size = 0
        groups[-1].append(row)
        size += n
    return [g for g in groups if g]


def _store_group(
    session: Session, source: str, group: list[EventInbox], now: dt.datetime, counts: dict[str, int]
) -> None:
    events = [_event(e) for row in group for e in row.events.get("items", [])]
    try:
        with session.begin_nested():
            result = ingestion.ingest(session, actor=SYSTEM, source=source, events=events)
    except Conflict:
        return  # lost races to create tickets three times: left queued for the next round
    except ServiceError as exc:
        if len(group) > 1:  # find the bad request: store them one by one
            for row in group:
                _store_group(session, source, [row], now, counts)
            return
        problem = {"message": exc.message, "field": exc.field, "details": exc.details or []}
        _finish(session, group[0], "rejected", problem, now)
        counts["rejected"] += 1
        return
    for row in group:
        _finish(session, row, "stored", {"together_with": len(group), **asdict(result)}, now)
    counts["stored"] += len(group)


def _finish(
    session: Session, row: EventInbox, status: str, result: dict[str, Any], now: dt.datetime
) -> None:
    """The request's outcome, and its audit row in the sender's name (written here rather
    than when accepting, so that accepting stays one insert)."""
    row.status, row.result, row.processed_at = status, result, now
    summary = {
        "queue": row.id,
        "source": row.source,
        "received_at": row.received_at.isoformat(),
        "events": len(row.events.get("items", [])),
        "outcome": status,
    }
    audit.record_bulk_for(session, [(row.received_by_id, "accept", "event_inbox", summary)])
