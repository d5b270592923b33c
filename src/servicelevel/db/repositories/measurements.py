"""Queries about measurements."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Measurement, Ticket


def replace(session: Session, agreement_id: int, rows: list[dict[str, Any]]) -> None:
    """The agreement's measurements become ``rows`` (inside the caller's transaction)."""
    session.execute(delete(Measurement).where(Measurement.agreement_id == agreement_id))
    for start in range(0, len(rows), 5000):
        session.execute(insert(Measurement), rows[start : start + 5000])


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
    """Measurements still running, paused or pending, soonest deadline first, with the ticket's
    number and priority."""
    query = (
        select(Measurement, Ticket.external_id, Ticket.priority)
        .join(Ticket, Ticket.id == Measurement.ticket_id)
        .where(
            Measurement.agreement_id == agreement_id,
            Measurement.status.in_(("running", "paused", "pending")),
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
