"""Ticket events in (SLM4 data): idempotent, order-tolerant, all or nothing.

Each event (:class:`~servicelevel.services.intake.events.EventData`) says what happened to a
ticket of a source system and the ticket's state after it. The same event sent twice is stored
once (its fingerprint: ticket, instant, state, event and attributes); events may arrive in any
order — a ticket's events are kept sorted by time and its current state and attributes follow
the latest (:mod:`timelines`); a batch with any bad event stores nothing and names every bad one
by its position (:mod:`events`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicelevel.db.models import Ticket
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.intake.events import EventData, batch_problems, checked_source
from servicelevel.services.intake.timelines import add_events, append_events, insert_new_tickets
from servicelevel.services.monitoring import recompute
from servicelevel.services.shared.errors import Conflict, Invalid


@dataclass(frozen=True)
class IngestResult:
    received: int
    stored: int
    duplicates: int
    tickets_created: int
    tickets_changed: int


def ingest(session: Session, *, actor: Actor, source: str, events: list[EventData]) -> IngestResult:
    """Store a batch of ticket events (see the module docstring)."""
    require(actor, "ticket.write")
    source = checked_source(source)
    customers = party_repo.customer_codes(session, {e.customer for e in events if e.customer})
    problems = batch_problems(events, customers)
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
        created = insert_new_tickets(session, source, brand_new, customers)
    for number, new in by_ticket.items():
        if number not in existing:
            continue
        ticket = existing[number]
        if min(e.at for e in new) >= ticket.last_event_at:
            append_events(session, ticket, new, last_seq.get(ticket.id, -1), customers)
        else:
            add_events(session, ticket, new, customers)
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
