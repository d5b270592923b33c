"""Queries about measurements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Table, delete, func, or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Measurement, Ticket
from servicelevel.db.repositories import bulk, bulk_columns
from servicelevel.db.repositories.common import period_index
from servicelevel.db.repositories.monitoring.tickets import epoch_seconds

COLUMNS = (
    "version_number",
    "target_key",
    "ticket_id",
    "status",
    "used_seconds",
    "paused_seconds",
    "budget_seconds",
    "started_at",
    "stopped_at",
    "deadline",
    "breached_at",
    "counted_at",
)
INSTANTS = ("started_at", "stopped_at", "deadline", "breached_at", "counted_at")


def replace(
    session: Session, agreement_id: int, rows: bulk_columns.Columns, computed_at: dt.datetime
) -> None:
    """The agreement's measurements become ``rows`` (the columns :data:`COLUMNS`, instants in
    epoch seconds), inside the caller's transaction; ``computed_at`` marks the rows that
    changed (on PostgreSQL unchanged rows are not written again)."""
    table = Measurement.__table__
    assert isinstance(table, Table)
    bulk.replace_rows(
        session,
        table,
        ("agreement_id", agreement_id),
        ("target_key", "ticket_id"),
        rows,
        stamp=("computed_at", computed_at),
    )


def counts_by_status(session: Session, agreement_id: int) -> dict[str, int]:
    query = (
        select(Measurement.status, func.count())
        .where(Measurement.agreement_id == agreement_id)
        .group_by(Measurement.status)
    )
    return {str(s): int(n) for s, n in session.execute(query)}


def of_ticket(session: Session, ticket_id: int) -> list[Measurement]:
    query = select(Measurement).where(Measurement.ticket_id == ticket_id)
    return list(session.scalars(query.order_by(Measurement.agreement_id, Measurement.target_key)))


def open_of_agreement(
    session: Session, agreement_id: int, limit: int
) -> list[tuple[Measurement, str, str]]:
    """Measurements still running, paused or pending — a breached one too while its clock has
    not stopped (the ticket is still open) — soonest deadline first, with the ticket's number
    and priority."""
    query = (
        select(Measurement, Ticket.external_id, Ticket.priority)
        .join(Ticket, Ticket.id == Measurement.ticket_id)
        .where(
            Measurement.agreement_id == agreement_id,
            or_(
                Measurement.status.in_(("running", "paused", "pending")),
                (Measurement.status == "breached") & Measurement.stopped_at.is_(None),
            ),
        )
        .order_by(Measurement.deadline.is_(None), Measurement.deadline, Measurement.id)
        .limit(limit)
    )
    return [(m, str(n), str(p)) for m, n, p in session.execute(query)]


def of_keys(
    session: Session, keys: list[tuple[int, str, int]]
) -> dict[tuple[int, str, int], Measurement]:
    """Measurements by ``(agreement, target, ticket)``."""
    tickets = sorted({k[2] for k in keys})
    query = select(Measurement).where(Measurement.ticket_id.in_(tickets))
    wanted = set(keys)
    out = {}
    for m in session.scalars(query):
        key = (m.agreement_id, m.target_key, m.ticket_id)
        if key in wanted:
            out[key] = m
    return out


def replace_tickets(
    session: Session,
    agreement_id: int,
    tickets: list[int],
    rows: bulk_columns.Columns,
    computed_at: dt.datetime,
) -> None:
    """Like :func:`replace`, for the measurements of some tickets only."""
    for start in range(0, len(tickets), 10_000):
        chunk = tickets[start : start + 10_000]
        session.execute(
            delete(Measurement).where(
                Measurement.agreement_id == agreement_id, Measurement.ticket_id.in_(chunk)
            )
        )
    table = Measurement.__table__
    assert isinstance(table, Table)
    constants = {"agreement_id": agreement_id, "computed_at": computed_at}
    bulk.insert_rows(session, table, rows, constants=constants)


def reporting_instant() -> Any:
    """When a measurement counts (as the engine's compliance places it): a stopped clock when
    it stopped, an open breach when it breached, anything else when it started — stored with
    the measurement (``counted_at``) so that periods are read through an index."""
    return Measurement.counted_at


def status_counts_between(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime
) -> dict[str, int]:
    """How many of the agreement's measurements count in ``[start, end)``, per status."""
    out: dict[str, int] = {}
    for per_status in target_counts_between(session, agreement_id, start, end).values():
        for status, n in per_status.items():
            out[status] = out.get(status, 0) + n
    return out


def target_counts_between(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime
) -> dict[str, dict[str, int]]:
    """``target → status → count`` of the measurements that count in ``[start, end)``."""
    at = reporting_instant()
    query = (
        select(Measurement.target_key, Measurement.status, func.count())
        .where(Measurement.agreement_id == agreement_id, at >= start, at < end)
        .group_by(Measurement.target_key, Measurement.status)
    )
    out: dict[str, dict[str, int]] = {}
    for key, status, n in session.execute(query):
        out.setdefault(str(key), {})[str(status)] = int(n)
    return out


def at_risk(session: Session, agreement_id: int, before: dt.datetime) -> int:
    """Clocks still running whose deadline comes before ``before`` (or has passed)."""
    query = select(func.count()).where(
        Measurement.agreement_id == agreement_id,
        Measurement.status.in_(("running", "breached")),
        Measurement.stopped_at.is_(None),
        Measurement.deadline < before,
    )
    return int(session.scalar(query) or 0)


def near_misses(
    session: Session,
    agreement_id: int,
    start: dt.datetime,
    end: dt.datetime,
    share: float,
    limit: int,
) -> tuple[int, list[tuple[str, int, int, int]]]:
    """Clocks met in ``[start, end)`` after using at least ``share`` of their budget: how
    many, and the closest ones as ``(target, ticket id, used, budget)``."""
    at = reporting_instant()
    close = (
        Measurement.agreement_id == agreement_id,
        Measurement.status == "met",
        Measurement.budget_seconds > 0,
        Measurement.used_seconds >= Measurement.budget_seconds * share,
        at >= start,
        at < end,
    )
    total = int(session.scalar(select(func.count()).where(*close)) or 0)
    query = (
        select(
            Measurement.target_key,
            Measurement.ticket_id,
            Measurement.used_seconds,
            Measurement.budget_seconds,
        )
        .where(*close)
        .order_by((Measurement.used_seconds * 1.0 / Measurement.budget_seconds).desc())
        .limit(limit)
    )
    rows = [(str(k), int(t), int(u), int(b)) for k, t, u, b in session.execute(query)]
    return total, rows


PERIOD_COLUMNS = (
    "target",
    "ticket_id",
    "ticket",
    "priority",
    "category",
    "status",
    "used",
    "paused",
    "budget",
    "started_at",
    "stopped_at",
    "deadline",
)


def period_columns(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime, *, unset: int
) -> list[list[Any]]:
    """The agreement's measurements that count in ``[start, end)`` — and running clocks whose
    deadline falls in it, which have breached since they were computed — as columns
    :data:`PERIOD_COLUMNS` with the ticket's id, number, priority and category and instants in
    epoch seconds (``unset`` when there is none, so that a column is integers only).

    The rows come in no particular order (the caller orders them with NumPy: sorting 150,000
    rows in the database spilled to disk and took a fifth of the query)."""
    at = reporting_instant()
    overdue = (
        (Measurement.status == "running")
        & Measurement.stopped_at.is_(None)
        & (Measurement.deadline >= start)
        & (Measurement.deadline < end)
    )

    def instant(column: Any) -> Any:
        return func.coalesce(epoch_seconds(session, column), unset)

    query = (
        select(
            Measurement.target_key,
            Measurement.ticket_id,
            Ticket.external_id,
            Ticket.priority,
            Ticket.category,
            Measurement.status,
            Measurement.used_seconds,
            Measurement.paused_seconds,
            Measurement.budget_seconds,
            instant(Measurement.started_at),
            instant(Measurement.stopped_at),
            instant(Measurement.deadline),
        )
        .join(Ticket, Ticket.id == Measurement.ticket_id)
        .where(Measurement.agreement_id == agreement_id, ((at >= start) & (at < end)) | overdue)
    )
    return bulk.read_columns(session, query, len(PERIOD_COLUMNS))


def has_any(session: Session, agreement_id: int) -> bool:
    """Whether the agreement has been measured at all."""
    query = select(Measurement.id).where(Measurement.agreement_id == agreement_id).limit(1)
    return session.scalar(query) is not None


def target_counts_by_period(
    session: Session, agreement_id: int, bounds: list[dt.datetime]
) -> dict[tuple[int, str], dict[str, int]]:
    """``(period index, target) → status → count`` over consecutive periods (one scan)."""
    at = reporting_instant()
    index = period_index(at, bounds)
    query = (
        select(index, Measurement.target_key, Measurement.status, func.count())
        .where(Measurement.agreement_id == agreement_id, at >= bounds[0], at < bounds[-1])
        .group_by(index, Measurement.target_key, Measurement.status)
    )
    out: dict[tuple[int, str], dict[str, int]] = {}
    for i, key, status, n in session.execute(query):
        out.setdefault((int(i), str(key)), {})[str(status)] = int(n)
    return out
