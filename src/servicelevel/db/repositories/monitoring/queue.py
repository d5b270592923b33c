"""The ticket queue in one statement: each ticket with the clock that matters most for it.

A ticket is measured by several targets (response, resolution) of several agreements (the
customer's SLA, an OLA, a UC). The queue shows one row per ticket with its *headline clock*:
the open clock with the nearest deadline, else a paused one, one not started yet, a breached
one, a met one, a cancelled one — picked by a window function over the stored measurements of
the agreements the reader may see, so that paging, sorting, filtering and counting all happen
in the database (no query per ticket, no reading every ticket into Python). The clock status
(running, at_risk, overdue, paused, pending, met, breached, cancelled) is derived in SQL from
the stored status and deadline against ``now``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from servicelevel.db.models import Measurement, Party, Ticket
from servicelevel.db.repositories.monitoring.tickets import epoch_seconds

M = Measurement
OPEN, PAUSED, PENDING, BREACHED, MET = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class QueueQuery:
    """What to select and how to order it; ``agreements`` are the measurements' agreements
    the reader may see (and asked for)."""

    agreements: Collection[int]
    now: dt.datetime
    at_risk_before: dt.datetime
    customer_id: int | None = None
    only_customers: Collection[int] | None = None
    service: str | None = None
    priority: str | None = None
    clock: str | None = None
    state: str | None = None
    search: str | None = None  # in the number or the title
    measured_only: bool = False  # only tickets measured by ``agreements`` (an agreement filter)
    sort: str = "deadline"
    descending: bool = False


@dataclass(frozen=True)
class QueueRow:
    ticket: Ticket
    customer: str  # the party's code ("" without one)
    customer_name: str | None
    customer_names: dict[str, str] | None
    agreement_id: int | None
    target_key: str | None
    clock: str | None
    deadline: dt.datetime | None
    left_seconds: int | None
    used: float | None  # share of the budget, 0..1 and beyond


def _rank(m: Any) -> Any:
    """The order in which a ticket's clocks compete for its headline."""
    return case(
        (and_(m.stopped_at.is_(None), m.status.in_(("running", "breached"))), OPEN),
        (m.status == "paused", PAUSED),
        (m.status == "pending", PENDING),
        (m.status == "breached", BREACHED),
        (m.status == "met", MET),
        else_=5,
    )


def _headline(agreements: Collection[int]) -> Any:
    """The id of the ticket's headline measurement: a correlated lookup through the index on
    ``measurement.ticket_id`` (a window function over all measurements joined back to the
    tickets made SQLite scan the whole window once per ticket)."""
    m = aliased(Measurement)
    order = (_rank(m), m.deadline.is_(None), m.deadline, m.agreement_id, m.target_key)
    return (
        select(m.id)
        .where(m.ticket_id == Ticket.id, m.agreement_id.in_(list(agreements)))
        .order_by(*order)
        .limit(1)
        .correlate(Ticket)
        .scalar_subquery()
    )


def _columns(session: Session, q: QueueQuery) -> dict[str, Any]:
    """The clock columns as SQL expressions over the headline: status, seconds left (real
    time to the deadline while open, negative once overdue; the working time left on a paused
    clock's budget) and the share of the budget used (at least all of it once overdue)."""
    is_open = _rank(M) == OPEN
    overdue = and_(is_open, M.deadline <= q.now)
    clock = case(
        (overdue, "overdue"),
        (and_(is_open, M.deadline < q.at_risk_before), "at_risk"),
        (is_open, "running"),
        else_=M.status,
    )
    now_epoch = int(q.now.timestamp())
    left = case(
        (
            and_(is_open, M.deadline.is_not(None)),
            epoch_seconds(session, M.deadline) - now_epoch,
        ),
        (M.status.in_(("paused", "pending")), M.budget_seconds - M.used_seconds),
        else_=None,
    )
    used = case(
        (and_(overdue, M.used_seconds < M.budget_seconds), M.budget_seconds),
        else_=M.used_seconds,
    )
    share = case((M.budget_seconds > 0, used * literal(1.0) / M.budget_seconds), else_=None)
    return {"clock": clock, "left": left, "used": share}


SORTS: dict[
    str, Callable[[dict[str, Any]], tuple[Any, ...]]
] = {  # each key as the columns it orders by: a deadline is the more urgent while open
    "deadline": lambda c: (c["rank"], c["deadline"]),
    "left": lambda c: (c["left"],),
    "used": lambda c: (c["used"],),
    "opened": lambda c: (c["opened"],),
    "priority": lambda c: (c["priority"],),
}


def _query(session: Session, q: QueueQuery) -> tuple[Select[Any], dict[str, Any]]:
    cols = _columns(session, q)
    inner = q.measured_only or q.clock is not None
    query = (
        select(
            Ticket,
            func.coalesce(Party.code, ""),
            Party.name,
            Party.names,
            M.agreement_id,
            M.target_key,
            cols["clock"].label("clock"),
            M.deadline,
            cols["left"].label("left"),
            cols["used"].label("used"),
        )
        .select_from(Ticket)
        .join(M, M.id == _headline(q.agreements), isouter=not inner)
        .join(Party, Party.id == Ticket.customer_id, isouter=True)
    )
    for column, value in (
        (Ticket.customer_id, q.customer_id),
        (Ticket.service, q.service),
        (Ticket.priority, q.priority),
        (Ticket.state, q.state),
    ):
        if value is not None:
            query = query.where(column == value)
    if q.only_customers is not None:
        query = query.where(Ticket.customer_id.in_(list(q.only_customers)))
    if q.search:
        like = f"%{q.search}%"
        query = query.where(or_(Ticket.external_id.ilike(like), Ticket.title.ilike(like)))
    if q.clock is not None:
        query = query.where(cols["clock"] == q.clock)
    cols |= {
        "rank": _rank(M),
        "deadline": M.deadline,
        "opened": Ticket.opened_at,
        "priority": Ticket.priority,
    }
    return query, cols


def queue_page(
    session: Session, q: QueueQuery, offset: int, limit: int
) -> tuple[list[QueueRow], int]:
    """One page of the queue in the order asked (missing values last; ties newest first) and
    the count of all its rows: two statements."""
    query, cols = _query(session, q)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    order: list[Any] = []
    for key in SORTS[q.sort](cols):
        order += [key.is_(None), key.desc() if q.descending else key]
    query = query.order_by(*order, Ticket.opened_at.desc(), Ticket.id.desc())
    rows = [QueueRow(*r) for r in session.execute(query.offset(offset).limit(limit))]
    return rows, int(total or 0)


def clock_counts(session: Session, q: QueueQuery) -> dict[str, int]:
    """How many tickets of the queue (its filters, any clock) have each headline clock
    status — the figures a dashboard links to the filtered queue with. Tickets without a
    clock are not counted, so only the measured ones are read."""
    query, _ = _query(session, replace(q, measured_only=True))
    sub = query.subquery()
    found = session.execute(select(sub.c.clock, func.count()).group_by(sub.c.clock))
    return {str(c): int(n) for c, n in found if c is not None}


def clock_counts_by_agreement(session: Session, q: QueueQuery) -> dict[int, dict[str, int]]:
    """For each of ``q.agreements``: how many tickets have each headline clock status among
    that agreement's clocks — what ``clock_counts`` gives with the agreement as filter, for
    all of them in one statement (each measurement that heads its ticket's clocks of its own
    agreement, found through the index on ``measurement.ticket_id``)."""
    m = aliased(Measurement)
    order = (_rank(m), m.deadline.is_(None), m.deadline, m.agreement_id, m.target_key)
    heads = (
        select(m.id)
        .where(m.ticket_id == M.ticket_id, m.agreement_id == M.agreement_id)
        .order_by(*order)
        .limit(1)
        .correlate(M)
        .scalar_subquery()
    )
    clock = _columns(session, q)["clock"]
    query = (
        select(M.agreement_id, clock, func.count())
        .join(Ticket, Ticket.id == M.ticket_id)
        .where(M.agreement_id.in_(list(q.agreements)), M.id == heads)
        .group_by(M.agreement_id, clock)
    )
    if q.only_customers is not None:
        query = query.where(Ticket.customer_id.in_(list(q.only_customers)))
    out: dict[int, dict[str, int]] = {int(a): {} for a in q.agreements}
    for agreement_id, status, n in session.execute(query):
        out[int(agreement_id)][str(status)] = int(n)
    return out
