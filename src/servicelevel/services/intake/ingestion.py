"""Ticket events in (SLM4 data): idempotent, order-tolerant, all or nothing.

Each event says what happened to a ticket of a source system (``servicenow``, ``jira``, an
integration's name…) and the ticket's state after it. The same event sent twice is stored once
(its fingerprint: ticket, instant, state, event and attributes); events may arrive in any order —
a ticket's events are kept sorted by time and its current state and attributes follow the
latest; a batch with any bad event stores nothing and names every bad one by its position.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicelevel.db.models import Ticket, TicketEvent
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.monitoring import recompute
from servicelevel.services.shared.errors import Conflict, Invalid
from servicelevel.settings import get_settings

LIMITS = {
    "ticket": 100,
    "state": 60,
    "event": 60,
    "service": 64,
    "customer": 64,
    "priority": 40,
    "category": 100,
    "title": 500,
    "key": 200,
}
ATTRIBUTES = ("priority", "category", "title")


@dataclass(frozen=True)
class EventData:
    ticket: str  # the ticket's number in its source system
    at: dt.datetime  # with its UTC offset
    state: str  # the ticket's state after the event
    event: str = ""  # created, responded, resolved, reopened…
    service: str = ""  # a catalog service code (needed on a new ticket's first event)
    customer: str = ""  # a party code
    priority: str = ""
    category: str = ""
    title: str = ""
    key: str = ""  # the source's own id of the event, when it has one
    # what else the source says (an export's other columns), where it changed: kept as history
    attributes: dict[str, str] = field(default_factory=dict)
    # the attributes as they stand after the event, when known (an export's row): part of the
    # event's identity instead of ``attributes``, which depend on the rows read before it — a
    # row must be the same event in a full export and in an export of the latest changes
    standing: dict[str, str] | None = None

    def fingerprint(self) -> str:
        """The event's identity: the source's key when given (two updates in the same minute
        with the same content are then still two events), else everything it says."""
        if self.key:
            return hashlib.sha256(f"{self.ticket}\x1f{self.key}".encode()).hexdigest()
        parts = (
            self.ticket,
            self.at.astimezone(dt.UTC).isoformat(),
            self.state,
            self.event,
            self.service,
            self.customer,
            self.priority,
            self.category,
            self.title,
            *(f"{k}\x1e{v}" for k, v in sorted((self.standing or self.attributes).items())),
        )
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    duplicates: int
    tickets_created: int
    tickets_changed: int


def _problems(events: list[EventData], customers: dict[str, int]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    latest = dt.datetime.now(dt.UTC) + future_skew()
    for row, e in enumerate(events, start=1):  # rows are 1-based positions in the batch
        for name, limit in LIMITS.items():
            value = getattr(e, name)
            if not isinstance(value, str) or "\x00" in value or len(value) > limit:
                found.append(
                    {
                        "row": row,
                        "field": name,
                        "message": f"{name} must be text of at most {limit} characters",
                    }
                )
        if not e.ticket.strip():
            found.append({"row": row, "field": "ticket", "message": "a ticket number is required"})
        if not e.state.strip():
            found.append(
                {"row": row, "field": "state", "message": "the state after the event is required"}
            )
        if e.at.tzinfo is None or not 1971 <= e.at.year <= 2199:
            found.append(
                {
                    "row": row,
                    "field": "at",
                    "message": "an instant with a UTC offset, between 1971 and 2199",
                }
            )
        elif e.at > latest:
            found.append({"row": row, "field": "at", "message": _too_late(e, latest)})
        found.extend(_attribute_problems(row, e))
        if e.customer and e.customer not in customers:
            found.append({"row": row, "field": "customer", "message": f"no customer {e.customer}"})
    return found


MAX_ATTRIBUTES = 200  # per event; an export has tens of columns


def _attribute_problems(row: int, e: EventData) -> list[dict[str, object]]:
    """Attributes are short texts under short names (they are stored on every change)."""
    attributes = e.attributes
    if not isinstance(attributes, dict) or len(attributes) > MAX_ATTRIBUTES:
        message = f"at most {MAX_ATTRIBUTES} attributes, names to text"
        return [{"row": row, "field": "attributes", "message": message}]
    return [
        {
            "row": row,
            "field": "attributes",
            "message": f"attribute {str(k)[:64]!r}: a name of at most 64 characters "
            "and a text of at most 500",
        }
        for k, v in attributes.items()
        if not (_text(k, 64) and k.strip() and _text(v, 500))
    ]


def _text(value: object, limit: int) -> bool:
    return isinstance(value, str) and "\x00" not in value and len(value) <= limit


def future_skew() -> dt.timedelta:
    """How far ahead of this server's clock an event may be dated (``SLM_FUTURE_SKEW_SECONDS``):
    clocks disagree a little, an event dated next year is a mistake in the data."""
    return dt.timedelta(seconds=get_settings().future_skew_seconds)


def _too_late(e: EventData, latest: dt.datetime) -> str:
    return (
        f"the event of {e.ticket[:100]} ({e.state[:60]}) is dated {e.at.isoformat()}, later than "
        f"{latest.replace(microsecond=0).isoformat()} (now plus SLM_FUTURE_SKEW_SECONDS)"
    )


def checked_source(source: str) -> str:
    """The name of the source system the events come from (required, at most 40 characters)."""
    source = source.strip()
    if not source or len(source) > 40 or "\x00" in source:
        raise Invalid("a source of at most 40 characters is required", "source")
    return source


def ingest(session: Session, *, actor: Actor, source: str, events: list[EventData]) -> IngestResult:
    """Store a batch of ticket events (see the module docstring)."""
    require(actor, "ticket.write")
    source = checked_source(source)
    customers = party_repo.customer_codes(session, {e.customer for e in events if e.customer})
    problems = _problems(events, customers)
    numbers = list(dict.fromkeys(e.ticket for e in events))
    existing = {t.external_id: t for t in repo.tickets_by_numbers(session, source, numbers)}
    first_rows: dict[str, int] = {}
    for row, e in enumerate(events, start=1):
        first_rows.setdefault(e.ticket, row)
    named = {e.ticket for e in events if e.service.strip()}
    for number, row in first_rows.items():
        if number not in existing and number not in named:
            problems.append(
                {
                    "row": row,
                    "field": "service",
                    "message": f"ticket {number} is new: name its service",
                }
            )
    if problems:
        error = Invalid(
            "{count} event(s) cannot be stored, so none of the batch was",
            str(problems[0]["field"]),
            count=len({p["row"] for p in problems}),
        )
        error.details = problems
        raise error
    if all(n in existing for n in numbers):  # nothing to create: no race to lose
        return _store(session, actor, source, events, existing, customers)
    for _ in range(3):
        try:
            with session.begin_nested():  # a savepoint: a lost race undoes only this attempt
                return _store(session, actor, source, events, existing, customers)
        except IntegrityError:
            # another request created one of these tickets meanwhile: it exists now
            found = repo.tickets_by_numbers(session, source, numbers)
            existing = {t.external_id: t for t in found}
    raise Conflict("other requests keep creating these tickets at the same time; send again")


def _store(
    session: Session,
    actor: Actor,
    source: str,
    events: list[EventData],
    existing: dict[str, Ticket],
    customers: dict[str, int],
) -> IngestResult:
    seen, last_seq = repo.fingerprints_of(session, [t.id for t in existing.values()])
    by_ticket: dict[str, list[EventData]] = defaultdict(list)
    duplicates = 0
    fresh: set[str] = set()
    for e in events:
        key = e.fingerprint()
        if key in seen or key in fresh:
            duplicates += 1
            continue
        fresh.add(key)
        by_ticket[e.ticket].append(e)
    created: list[int] = []
    # the services tickets belong to before these events: a ticket moved to another service
    # leaves the agreements of its old one, which must be recomputed too
    services = {t.service for t in existing.values() if t.external_id in by_ticket}
    brand_new = {n: v for n, v in by_ticket.items() if n not in existing}
    if brand_new:
        created = _insert_new(session, source, brand_new, customers)
    for number, new in by_ticket.items():
        if number not in existing:
            continue
        ticket = existing[number]
        if min(e.at for e in new) >= ticket.last_event_at:
            _append_events(session, ticket, new, last_seq.get(ticket.id, -1), customers)
        else:
            _add_events(session, ticket, new, customers)
    stored = sum(len(v) for v in by_ticket.values())
    if stored:  # measurements follow the data: the affected agreements are recomputed
        services |= {e.service for v in by_ticket.values() for e in v if e.service}
        touched = created + [t.id for t in existing.values() if t.external_id in by_ticket]
        recompute.after_ingest(session, services, touched)
    audit.record_bulk(
        session,
        actor,
        "ingest",
        "ticket_event",
        {
            "source": source,
            "received": len(events),
            "stored": stored,
            "duplicates": duplicates,
            "tickets_created": len(created),
        },
    )
    return IngestResult(len(events), stored, duplicates, len(created), len(by_ticket))


def _insert_new(
    session: Session, source: str, tickets: dict[str, list[EventData]], customers: dict[str, int]
) -> list[int]:
    """New tickets and their events in two bulk inserts (an import of a whole log is mostly
    new tickets); events in time order, ties kept in arrival order."""
    now = dt.datetime.now(dt.UTC)
    rows: list[dict[str, Any]] = []
    timelines: list[list[EventData]] = []
    for number, events in tickets.items():
        ordered = sorted(events, key=lambda e: e.at)  # stable: ties keep arrival order
        latest: dict[str, Any] = {}
        attributes: dict[str, str] = {}
        for e in ordered:
            latest.update(_changes(e))
            attributes.update(e.attributes)
        rows.append(
            {
                "source": source,
                "external_id": number,
                "service": latest["service"],
                "customer_id": customers.get(latest.get("customer", "")),
                "priority": latest.get("priority", ""),
                "category": latest.get("category", ""),
                "title": latest.get("title", ""),
                "state": ordered[-1].state,
                "opened_at": ordered[0].at,
                "last_event_at": ordered[-1].at,
                "attributes": attributes,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        timelines.append(ordered)
    ids = repo.add_tickets(session, rows)
    repo.add_events(
        session,
        [
            {
                "ticket_id": tid,
                "seq": seq,
                "at": e.at,
                "state": e.state,
                "event": e.event,
                "changes": _changes(e),
                "fingerprint": e.fingerprint(),
            }
            for tid, events in zip(ids, timelines, strict=True)
            for seq, e in enumerate(events)
        ],
    )
    return ids


def _changes(e: EventData) -> dict[str, Any]:
    """The attributes an event sets (its non-empty ones; the source's others under
    ``attributes``)."""
    found: dict[str, Any] = {
        k: getattr(e, k) for k in (*ATTRIBUTES, "service", "customer") if getattr(e, k)
    }
    if e.attributes:
        found["attributes"] = dict(e.attributes)
    return found


def _append_events(
    session: Session, ticket: Ticket, new: list[EventData], last: int, customers: dict[str, int]
) -> None:
    """Events that all come after the ticket's last one (the usual case: a live feed): they
    are numbered on from the last and only they update the ticket — no reordering."""
    ordered = sorted(new, key=lambda e: e.at)  # stable: ties keep arrival order
    rows: list[dict[str, Any]] = [
        {
            "ticket_id": ticket.id,
            "seq": last + 1 + i,
            "at": e.at,
            "state": e.state,
            "event": e.event,
            "changes": _changes(e),
            "fingerprint": e.fingerprint(),
        }
        for i, e in enumerate(ordered)
    ]
    repo.add_events(session, rows)
    ticket.last_event_at, ticket.state = ordered[-1].at, ordered[-1].state
    for row in rows:
        _apply(ticket, row["changes"], customers)


def _add_events(
    session: Session, ticket: Ticket, new: list[EventData], customers: dict[str, int]
) -> None:
    """Add the events, then put all of the ticket's events in time order (a late event slots in
    where it happened) and bring the ticket's state and attributes up to date."""
    session.flush()
    rows = repo.events_of(session, ticket.id)
    base = len(rows)
    for i, e in enumerate(new):
        changes = _changes(e)
        rows.append(
            TicketEvent(
                ticket_id=ticket.id,
                seq=-(base + i + 1),
                at=e.at,
                state=e.state,
                event=e.event,
                changes=changes,
                fingerprint=e.fingerprint(),
            )
        )
        session.add(rows[-1])
    ordered = sorted(rows, key=lambda r: (r.at, r.seq if r.seq >= 0 else base - r.seq))
    for i, row in enumerate(ordered):
        row.seq = -(len(ordered) + i + 1)  # out of the way first: seq is unique per ticket
    session.flush()
    for i, row in enumerate(ordered):
        row.seq = i
    _summarise(ticket, ordered, customers)


def _summarise(ticket: Ticket, ordered: list[TicketEvent], customers: dict[str, int]) -> None:
    ticket.opened_at, ticket.last_event_at = ordered[0].at, ordered[-1].at
    ticket.state = ordered[-1].state
    for row in ordered:  # later events overwrite earlier ones
        _apply(ticket, row.changes, customers)


def _apply(ticket: Ticket, changes: dict[str, Any], customers: dict[str, int]) -> None:
    """The attributes an event set, on the ticket."""
    for name in ATTRIBUTES:
        if changes.get(name):
            setattr(ticket, name, changes[name])
    if changes.get("service"):
        ticket.service = changes["service"]
    if changes.get("customer") in customers:
        ticket.customer_id = customers[changes["customer"]]
    if changes.get("attributes"):  # a new dict: the JSON column sees the change
        ticket.attributes = {**(ticket.attributes or {}), **changes["attributes"]}


def ingest_records(
    session: Session,
    *,
    actor: Actor,
    mapping: str,
    records: list[dict[str, Any]],
    create_customers: bool = False,
) -> IngestResult:
    """Events posted by a source system's webhook in its own shape, read with the shipped or
    stored mapping of that name (never a file named by the caller), customers and services
    resolved by its lookups (see :func:`ticket_import.import_records`)."""
    from servicelevel.services.intake import records as ticket_import  # it imports this module

    result, _ = ticket_import.import_named(
        session, actor=actor, mapping=mapping, records=records, create_customers=create_customers
    )
    return result
