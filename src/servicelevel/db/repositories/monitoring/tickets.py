"""Queries about tickets and outages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    Select,
    String,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from servicelevel.db.models import EventInbox, Outage, Ticket, TicketEvent
from servicelevel.db.repositories import bulk, bulk_columns, bulk_copy
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


def ticket_heads(session: Session, ticket_ids: list[int]) -> dict[int, dict[str, str]]:
    """``id → number, title, priority, service`` of tickets (for messages about them)."""
    query = select(
        Ticket.id, Ticket.external_id, Ticket.title, Ticket.priority, Ticket.service
    ).where(Ticket.id.in_(ticket_ids))
    return {
        int(i): {"ticket": n, "title": t, "priority": p, "service": s}
        for i, n, t, p, s in session.execute(query)
    }


def of_customers(session: Session, ticket_ids: list[int], customers: list[int]) -> set[int]:
    """Which of ``ticket_ids`` belong to one of ``customers``."""
    query = select(Ticket.id).where(Ticket.id.in_(ticket_ids), Ticket.customer_id.in_(customers))
    return {int(i) for i in session.scalars(query)}


def epoch_seconds(session: Session, column: Any) -> Any:
    """``column`` (an instant) as whole seconds since 1970 computed by the database, so that
    bulk reads hand the engine integers instead of building millions of datetime objects."""
    if session.get_bind().dialect.name == "sqlite":
        return cast(func.strftime("%s", column), Integer)
    return cast(func.floor(func.extract("epoch", column)), BigInteger)


TicketColumns = tuple[list[int], list[str], list[str], list[str], list[str], list[int]]
EventColumns = tuple[list[int], list[int], list[str], list[str]]


def _chosen(
    services: list[str],
    customer_id: int | None,
    opened_from: dt.datetime,
    opened_to: dt.datetime,
    only: list[int] | None,
) -> list[Any]:
    chosen = [
        Ticket.service.in_(services),
        Ticket.opened_at >= opened_from,
        Ticket.opened_at < opened_to,
    ]
    if customer_id is not None:
        chosen.append(Ticket.customer_id == customer_id)
    if only is not None:
        chosen.append(Ticket.id.in_(only))
    return chosen


def ticket_columns(
    session: Session,
    *,
    services: list[str],
    customer_id: int | None,
    opened_from: dt.datetime,
    opened_to: dt.datetime,
    only: list[int] | None = None,
) -> tuple[TicketColumns, EventColumns]:
    """Tickets of these services (and customer) opened in ``[opened_from, opened_to)``, as
    columns ``(id, number, priority, category, service, opened)`` in id order, and their events
    as columns ``(ticket id, at, state, event)`` in ticket and time order; instants in epoch
    seconds. Two queries, whatever the number of tickets."""
    chosen = _chosen(services, customer_id, opened_from, opened_to, only)
    tickets = bulk.read_columns(
        session,
        select(
            Ticket.id,
            Ticket.external_id,
            Ticket.priority,
            Ticket.category,
            Ticket.service,
            epoch_seconds(session, Ticket.opened_at),
        )
        .where(*chosen)
        .order_by(Ticket.id),
        6,
    )
    events = bulk.read_columns(
        session,
        select(
            TicketEvent.ticket_id,
            epoch_seconds(session, TicketEvent.at),
            TicketEvent.state,
            TicketEvent.event,
        )
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*chosen)
        .order_by(TicketEvent.ticket_id, TicketEvent.seq),
        4,
    )
    ticket_cols, event_cols = tuple(tickets), tuple(events)
    return ticket_cols, event_cols  # type: ignore[return-value]


def event_teams(
    session: Session,
    *,
    services: list[str],
    customer_id: int | None,
    opened_from: dt.datetime,
    opened_to: dt.datetime,
    only: list[int] | None = None,
) -> list[str | None]:
    """The team each event of those tickets names (its ``attributes.team``, else None), in the
    order :func:`ticket_columns` reads the events: read only for targets held by a team."""
    chosen = _chosen(services, customer_id, opened_from, opened_to, only)
    team = TicketEvent.changes["attributes"]["team"].as_string()
    query = (
        select(team)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*chosen)
        .order_by(TicketEvent.ticket_id, TicketEvent.seq)
    )
    return [row[0] for row in session.execute(query)]


def ticket_attribute(
    session: Session,
    name: str,
    *,
    services: list[str],
    customer_id: int | None,
    opened_from: dt.datetime,
    opened_to: dt.datetime,
    only: list[int] | None = None,
) -> list[str | None]:
    """Each of those tickets' latest value of one of its source's attributes (an assignment
    group, a request type…), in the order :func:`ticket_columns` reads the tickets."""
    chosen = _chosen(services, customer_id, opened_from, opened_to, only)
    value = Ticket.attributes[name].as_string()
    query = select(value).where(*chosen).order_by(Ticket.id)
    return [row[0] for row in session.execute(query)]


def team_changes(
    session: Session, ticket_ids: list[int]
) -> dict[int, list[tuple[dt.datetime, str]]]:
    """Per ticket, the instants at which an event named its team, and the team, in order."""
    team = TicketEvent.changes["attributes"]["team"].as_string()
    query = (
        select(TicketEvent.ticket_id, TicketEvent.at, team)
        .where(TicketEvent.ticket_id.in_(ticket_ids), team.is_not(None), team != "")
        .order_by(TicketEvent.ticket_id, TicketEvent.seq)
    )
    out: dict[int, list[tuple[dt.datetime, str]]] = {}
    for ticket_id, at, name in session.execute(query):
        out.setdefault(int(ticket_id), []).append((at, str(name)))
    return out


@dataclass(frozen=True)
class TicketArrays:
    """What :func:`ticket_columns` reads, as arrays: strings of few values coded (in no
    particular order), instants in epoch seconds."""

    ids: bulk_columns.Ints
    numbers: list[str]
    priority: bulk_columns.Coded
    category: bulk_columns.Coded
    service: bulk_columns.Coded
    opened: bulk_columns.Ints
    owner: bulk_columns.Ints  # per event, its ticket's id
    at: bulk_columns.Ints
    state: bulk_columns.Coded
    event: bulk_columns.Coded


def ticket_arrays(
    session: Session,
    *,
    services: list[str],
    customer_id: int | None,
    opened_from: dt.datetime,
    opened_to: dt.datetime,
    only: list[int] | None = None,
) -> TicketArrays | None:
    """:func:`ticket_columns` on PostgreSQL by binary COPY into NumPy arrays, a few seconds
    for a million tickets and six million events instead of tens of seconds building Python
    tuples. Strings of few values travel as codes: their vocabularies are read first (the
    events' over the whole table, a superset); ``None`` when an event arrived meanwhile with
    a state or name not in them (the caller then reads the columns the generic way)."""
    chosen = _chosen(services, customer_id, opened_from, opened_to, only)
    heads = (Ticket.priority, Ticket.category, Ticket.service)
    vocab = _distinct(session, select(*heads).where(*chosen))
    kinds = _distinct(session, select(TicketEvent.state, TicketEvent.event))
    ids, opened, *codes = bulk_copy.copy_out(
        session,
        select(cast(Ticket.id, BigInteger), Ticket.opened_at, *map(_code, heads, vocab))
        .where(*chosen)
        .order_by(Ticket.id),
        ["int8", "timestamptz", "int4", "int4", "int4"],
    )
    numbers = bulk_copy.copy_out_strings(
        session, select(Ticket.external_id).where(*chosen).order_by(Ticket.id)
    )
    owner, at, state, event = bulk_copy.copy_out(
        session,
        select(
            cast(TicketEvent.ticket_id, BigInteger),
            TicketEvent.at,
            _code(TicketEvent.state, kinds[0]),
            _code(TicketEvent.event, kinds[1]),
        )
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(*chosen)
        .order_by(TicketEvent.ticket_id, TicketEvent.seq),
        ["int8", "timestamptz", "int4", "int4"],
    )
    if not (state.all() and event.all()):
        return None
    priority, category, service = (
        bulk_columns.Coded(c - 1, tuple(v)) for c, v in zip(codes, vocab, strict=True)
    )
    return TicketArrays(
        ids,
        numbers,
        priority,
        category,
        service,
        opened,
        owner,
        at,
        bulk_columns.Coded(state - 1, tuple(kinds[0])),
        bulk_columns.Coded(event - 1, tuple(kinds[1])),
    )


def _distinct(session: Session, query: Select[*tuple[Any, ...]]) -> list[list[str]]:
    """Per selected column, the distinct values it takes (one scan for them all)."""
    rows = session.execute(query.distinct()).all()
    return [sorted({str(v) for v in column}) for column in zip(*rows, strict=True)] or [
        [] for _ in query.selected_columns
    ]


def _code(column: Any, values: list[str]) -> Any:
    """``column``'s position in ``values`` from 1 (0 when not there)."""
    where = func.array_position(bindparam(None, values, type_=ARRAY(String)), column)
    return cast(func.coalesce(where, 0), Integer)


def add_to_inbox(
    session: Session,
    source: str,
    events: list[dict[str, Any]],
    received_at: dt.datetime,
    received_by_id: int | None,
) -> int:
    """One request's events written down for the worker (a single INSERT); returns its id."""
    statement = (
        insert(EventInbox)
        .values(
            source=source,
            events={"items": events},
            received_at=received_at,
            received_by_id=received_by_id,
            status="queued",
            result={},
        )
        .returning(EventInbox.id)
    )
    return int(session.execute(statement).scalar_one())


def claim_inbox(session: Session, limit: int) -> list[EventInbox]:
    """The oldest queued requests, locked for the caller (other workers skip them)."""
    query = (
        select(EventInbox)
        .where(EventInbox.status == "queued")
        .order_by(EventInbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def inbox_by_id(session: Session, inbox_id: int) -> EventInbox | None:
    return session.get(EventInbox, inbox_id)


def inbox_waiting(session: Session) -> int:
    query = select(func.count()).where(EventInbox.status == "queued")
    return int(session.scalar(query) or 0)
