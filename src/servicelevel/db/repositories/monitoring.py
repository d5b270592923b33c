"""Queries about tickets and outages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Outage, Ticket, TicketEvent
from servicelevel.db.repositories.common import Page, paginate


def ticket_by_id(session: Session, ticket_id: int) -> Ticket | None:
    return session.get(Ticket, ticket_id)


def events_of(session: Session, ticket_id: int) -> list[TicketEvent]:
    query = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
    return list(session.scalars(query.order_by(TicketEvent.seq)))


def any_from(session: Session, source: str) -> bool:
    return session.scalar(select(Ticket.id).where(Ticket.source == source).limit(1)) is not None


def list_tickets(
    session: Session,
    *,
    filters: dict[str, Any],
    search: str | None,
    only_customers: Collection[int] | None,
    offset: int,
    limit: int,
) -> Page[Ticket]:
    query = select(Ticket).order_by(Ticket.opened_at.desc(), Ticket.id.desc())
    for column in ("customer_id", "service", "priority", "state"):
        if filters.get(column) is not None:
            query = query.where(getattr(Ticket, column) == filters[column])
    if search:
        like = f"%{search}%"
        query = query.where(or_(Ticket.external_id.ilike(like), Ticket.title.ilike(like)))
    if only_customers is not None:
        query = query.where(Ticket.customer_id.in_(list(only_customers)))
    return paginate(session, query, offset, limit)


def add_tickets(session: Session, tickets: list[dict[str, Any]]) -> list[int]:
    """Insert many tickets at once; their ids, in the order given."""
    if not tickets:
        return []
    query = insert(Ticket).returning(Ticket.id, sort_by_parameter_order=True)
    return list(session.scalars(query, tickets))


def add_events(session: Session, events: list[dict[str, Any]]) -> None:
    if events:
        session.execute(insert(TicketEvent), events)


def outages_between(
    session: Session, *, service: str | None, start: dt.datetime | None, end: dt.datetime | None
) -> list[Outage]:
    """Outages overlapping ``[start, end)`` (either bound may be open), oldest first."""
    query = select(Outage).order_by(Outage.starts_at, Outage.id)
    if service:
        query = query.where(Outage.service == service)
    if end is not None:
        query = query.where(Outage.starts_at < end)
    if start is not None:
        query = query.where(Outage.ends_at > start)
    return list(session.scalars(query))


def ticket_history(
    session: Session,
    *,
    service: str,
    customer_id: int | None,
    opened_from: dt.datetime,
    opened_to: dt.datetime,
) -> tuple[list[tuple[int, str, str, str]], list[tuple[int, dt.datetime, str, str]]]:
    """Tickets of a service opened in ``[opened_from, opened_to)`` as ``(id, number, priority,
    category)`` rows, and all their events as ``(ticket id, at, state, event)`` in order — two
    queries, whatever the number of tickets."""
    chosen = select(Ticket.id).where(
        Ticket.service == service,
        Ticket.opened_at >= opened_from,
        Ticket.opened_at < opened_to,
    )
    if customer_id is not None:
        chosen = chosen.where(Ticket.customer_id == customer_id)
    tickets = session.execute(
        select(Ticket.id, Ticket.external_id, Ticket.priority, Ticket.category)
        .where(Ticket.id.in_(chosen))
        .order_by(Ticket.id)
    )
    events = session.execute(
        select(TicketEvent.ticket_id, TicketEvent.at, TicketEvent.state, TicketEvent.event)
        .where(TicketEvent.ticket_id.in_(chosen))
        .order_by(TicketEvent.ticket_id, TicketEvent.seq)
    )
    return (
        [(int(i), str(n), str(p), str(c)) for i, n, p, c in tickets],
        [(int(i), a, str(s), str(e)) for i, a, s, e in events],
    )


def tickets_by_numbers(session: Session, source: str, numbers: list[str]) -> list[Ticket]:
    if not numbers:
        return []
    query = select(Ticket).where(Ticket.source == source, Ticket.external_id.in_(numbers))
    return list(session.scalars(query))


def fingerprints_of(session: Session, ticket_ids: list[int]) -> tuple[set[str], dict[int, int]]:
    """The fingerprints of the tickets' events, and each ticket's highest ``seq`` (where a
    new event goes when it comes after all the others)."""
    if not ticket_ids:
        return set(), {}
    query = select(TicketEvent.ticket_id, TicketEvent.seq, TicketEvent.fingerprint).where(
        TicketEvent.ticket_id.in_(ticket_ids)
    )
    seen: set[str] = set()
    last: dict[int, int] = {}
    for ticket_id, seq, fingerprint in session.execute(query):
        if fingerprint is not None:
            seen.add(str(fingerprint))
        last[int(ticket_id)] = max(last.get(int(ticket_id), -1), int(seq))
    return seen, last


def opened_at_of(session: Session, ticket_ids: list[int]) -> dict[int, dt.datetime]:
    opened: dict[int, dt.datetime] = {}
    for start in range(0, len(ticket_ids), 20_000):
        chunk = ticket_ids[start : start + 20_000]
        rows = session.execute(select(Ticket.id, Ticket.opened_at).where(Ticket.id.in_(chunk)))
        opened.update({int(i): at for i, at in rows})
    return opened


def ticket_heads(session: Session, ticket_ids: list[int]) -> dict[int, dict[str, str]]:
    """``id → number, title, priority, service`` of tickets (for messages about them)."""
    query = select(
        Ticket.id, Ticket.external_id, Ticket.title, Ticket.priority, Ticket.service
    ).where(Ticket.id.in_(ticket_ids))
    return {
        int(i): {"ticket": n, "title": t, "priority": p, "service": s}
        for i, n, t, p, s in session.execute(query)
    }
