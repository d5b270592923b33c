"""Ticket events written into their tickets' timelines: new tickets and their events in bulk,
events after a ticket's last one appended, a late event slotted in where it happened — and the
ticket's state and attributes brought up to date from its events.

Ingestion (:mod:`ingestion`) decides which events are new and calls these; a ticket's events
are kept sorted by time and its current state and attributes follow the latest.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Ticket, TicketEvent
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.services.intake.events import ATTRIBUTES, EventData


def insert_new_tickets(
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


def append_events(
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


def add_events(
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
