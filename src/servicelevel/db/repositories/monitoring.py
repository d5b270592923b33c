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
