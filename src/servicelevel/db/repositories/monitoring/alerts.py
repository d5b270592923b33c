"""Queries about clock alerts and breaches. Both are rewritten in bulk by recomputation (Core
statements, no ORM objects per row: an agreement may cover hundreds of thousands of tickets)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.orm import Session

from servicelevel.db.models import Breach, ClockAlert
from servicelevel.db.repositories import bulk, bulk_columns, bulk_copy
from servicelevel.db.repositories.common import Page, paginate, period_index
from servicelevel.db.repositories.monitoring.teams import held_at_breach

AlertKey = tuple[str, int, str, float]


def replace_unfired(
    session: Session,
    agreement_id: int,
    rows: list[dict[str, Any]],
    tickets: list[int] | None = None,
) -> int:
    """The agreement's unfired alerts (of ``tickets``, when given) become ``rows``, less those
    already fired (told once); returns how many were stored."""
    scope = [ClockAlert.agreement_id == agreement_id]
    if tickets is not None:
        scope.append(ClockAlert.ticket_id.in_(tickets))
    session.execute(delete(ClockAlert).where(*scope, ClockAlert.fired_at.is_(None)))
    fired = {
        (k, t, kind, float(th))
        for k, t, kind, th in session.execute(
            select(
                ClockAlert.target_key, ClockAlert.ticket_id, ClockAlert.kind, ClockAlert.threshold
            ).where(*scope, ClockAlert.fired_at.is_not(None))
        )
    }
    fresh = [
        r
        for r in rows
        if (r["target_key"], r["ticket_id"], r["kind"], float(r["threshold"])) not in fired
    ]
    for start in range(0, len(fresh), 5000):
        session.execute(insert(ClockAlert), fresh[start : start + 5000])
    return len(fresh)


def due(session: Session, now: dt.datetime, limit: int) -> list[ClockAlert]:
    """Unfired alerts due by ``now``, earliest first; locked so that workers share them."""
    query = (
        select(ClockAlert)
        .where(ClockAlert.fired_at.is_(None), ClockAlert.due_at <= now)
        .order_by(ClockAlert.due_at, ClockAlert.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def next_due(session: Session, agreement_id: int | None = None) -> list[ClockAlert]:
    query = select(ClockAlert).where(ClockAlert.fired_at.is_(None))
    if agreement_id is not None:
        query = query.where(ClockAlert.agreement_id == agreement_id)
    return list(session.scalars(query.order_by(ClockAlert.due_at, ClockAlert.id).limit(100)))


def fired(
    session: Session, *, agreements: list[int] | None, offset: int, limit: int
) -> Page[ClockAlert]:
    query = select(ClockAlert).where(ClockAlert.fired_at.is_not(None))
    if agreements is not None:
        query = query.where(ClockAlert.agreement_id.in_(agreements))
    return paginate(
        session, query.order_by(ClockAlert.fired_at.desc(), ClockAlert.id), offset, limit
    )


Stored = dict[str, tuple[int, str, dict[str, Any]]]


def ticket_breaches(
    session: Session, agreement_id: int, tickets: list[int] | None = None
) -> Stored:
    """``target|subject → (id, status, figures)`` of the agreement's ticket breaches (of
    ``tickets``, when given)."""
    scope = [Breach.agreement_id == agreement_id, Breach.kind == "ticket"]
    if tickets is not None:
        scope.append(Breach.ticket_id.in_(tickets))
    columns = bulk.read_columns(
        session,
        select(
            Breach.id,
            Breach.subject,
            Breach.status,
            Breach.version_number,
            Breach.breached_at,
            Breach.used_seconds,
            Breach.budget_seconds,
            Breach.target_key,
        ).where(*scope),
        8,
    )
    with bulk.paused_gc():
        return {
            f"{key}|{subject}": (
                breach_id,
                status,
                {
                    "version_number": number,
                    "breached_at": at if at.tzinfo else at.replace(tzinfo=dt.UTC),
                    "used_seconds": used,
                    "budget_seconds": budget,
                },
            )
            for breach_id, subject, status, number, at, used, budget, key in zip(
                *columns, strict=True
            )
        }


def insert_breaches(
    session: Session, columns: Sequence[str], rows: list[tuple[Any, ...]], now: dt.datetime
) -> None:
    """New breaches (``breached_at`` in epoch seconds), not excluded, without notes."""
    table = Breach.__table__
    assert isinstance(table, Table)
    constants = {
        "excluded": False,
        "exclusion_reason": "",
        "note": "",
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    bulk.insert_generic(session, table, columns, rows, ("breached_at",), constants)


def sync_ticket_breaches(
    session: Session,
    agreement_id: int,
    missed: bulk_columns.Columns,
    now: dt.datetime,
    tickets: list[int] | None = None,
) -> tuple[int, int]:
    """The agreement's ticket breaches (of ``tickets``, when given) brought in line with ``missed``
    (see :func:`servicelevel.services.monitoring.breaches.sync_tickets_generic`, whose rules these
    are) on PostgreSQL: the misses COPYed in, then one statement for the breaches whose figures
    changed, those no longer missed (withdrawn, kept with their annotations) and the new ones.
    Returns how many were added and how many changed."""
    bulk_copy.copy_in(session, "load_missed", missed)
    exprs, params = bulk_copy.decoded(missed, "l")
    status = "CASE WHEN l.stopped = 1 THEN 'closed' ELSE 'open' END"
    scope = "b.agreement_id = :agreement AND b.kind = 'ticket'"
    if tickets is not None:
        scope += " AND b.ticket_id = ANY(:tickets)"
    match = f"b.target_key = {exprs['target_key']} AND b.subject = 'ticket:' || l.ticket_id"
    values = {**params, "agreement": agreement_id, "now": now, "tickets": tickets}
    old = "b.version_number, trunc(extract(epoch FROM b.breached_at))::bigint, b.used_seconds, "
    new = "l.version_number, l.breached_at, l.used_seconds, l.budget_seconds"
    target = bulk_copy.decoded(missed, "d")[0]["target_key"]
    then = "CASE WHEN d.stopped = 1 THEN 'closed' ELSE 'open' END"
    # One full join of the misses with the breaches stored finds the changed, the gone and
    # the new; data-modifying CTEs write only them (three joins took three times as long).
    counts = session.execute(
        text(
            f"WITH cur AS (SELECT * FROM breach b WHERE {scope}), "
            "d AS MATERIALIZED (SELECT b.id AS old_id, b.status AS old_status, "
            "l.ticket_id IS NULL AS gone, l.* FROM load_missed l "
            f"FULL JOIN cur b ON {match} WHERE b.id IS NULL OR l.ticket_id IS NULL OR "
            f"(b.status, {old}b.budget_seconds) IS DISTINCT FROM ({status}, {new})), "
            "changed AS (UPDATE breach x SET version_number = d.version_number, "
            "breached_at = to_timestamp(d.breached_at), used_seconds = d.used_seconds, "
            "budget_seconds = d.budget_seconds, "
            "overrun_seconds = GREATEST(0, d.used_seconds - d.budget_seconds), "
            f"status = {then}, updated_at = :now, version = x.version + 1 "
            "FROM d WHERE x.id = d.old_id AND NOT d.gone RETURNING 1), "
            "withdrawn AS (UPDATE breach x SET status = 'withdrawn', overrun_seconds = 0, "
            "updated_at = :now, version = x.version + 1 FROM d "
            "WHERE x.id = d.old_id AND d.gone AND d.old_status <> 'withdrawn' RETURNING 1), "
            "added AS (INSERT INTO breach (agreement_id, version_number, target_key, kind, "
            "subject, ticket_id, breached_at, status, budget_seconds, used_seconds, "
            "overrun_seconds, excluded, exclusion_reason, note, created_at, updated_at, "
            f"version) SELECT :agreement, d.version_number, {target}, 'ticket', "
            "'ticket:' || d.ticket_id, d.ticket_id, to_timestamp(d.breached_at), "
            f"{then}, d.budget_seconds, d.used_seconds, "
            "GREATEST(0, d.used_seconds - d.budget_seconds), false, '', '', :now, :now, 1 "
            "FROM d WHERE d.old_id IS NULL RETURNING 1) "
            "SELECT (SELECT count(*) FROM added), "
            "(SELECT count(*) FROM changed) + (SELECT count(*) FROM withdrawn)"
        ),
        values,
    ).one()
    return int(counts[0]), int(counts[1])


def update_breaches(session: Session, rows: list[dict[str, Any]]) -> None:
    """Rows carry ``breach_id`` and the columns to set (each row bumps its version)."""
    if not rows:
        return
    table = Breach.__table__
    assert isinstance(table, Table)
    columns = [k for k in rows[0] if k not in ("breach_id", "updated_at")]
    statement = (
        update(table)
        .where(table.c.id == bindparam("breach_id"))
        .values(
            {
                **{c: bindparam(c) for c in columns},
                "version": table.c.version + 1,
                "updated_at": bindparam("updated_at"),
            }
        )
    )
    session.connection().execute(statement, rows)


def breach_by_id(session: Session, breach_id: int) -> Breach | None:
    return session.get(Breach, breach_id)


def breach_of(session: Session, agreement_id: int, target_key: str, subject: str) -> Breach | None:
    query = select(Breach).where(
        Breach.agreement_id == agreement_id,
        Breach.target_key == target_key,
        Breach.subject == subject,
    )
    return session.scalar(query)


def list_breaches(
    session: Session,
    *,
    agreements: list[int] | None,
    agreement_id: int | None = None,
    status: str | None = None,
    excluded: bool | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
    current: bool = False,
    team: str | None = None,
) -> Page[Breach]:
    """Breaches newest first; ``current`` leaves the withdrawn ones out (a recomputation
    found the clock met after all), so a page's total matches what it lists; ``team`` keeps
    those of tickets that team held when breached."""
    conditions: list[ColumnElement[bool]] = []
    if current:
        conditions.append(Breach.status != "withdrawn")
    if agreements is not None:
        conditions.append(Breach.agreement_id.in_(agreements))
    if agreement_id is not None:
        conditions.append(Breach.agreement_id == agreement_id)
    if status:
        conditions.append(Breach.status == status)
    if excluded is not None:
        conditions.append(Breach.excluded.is_(excluded))
    if since is not None:
        conditions.append(Breach.breached_at >= since)
    if until is not None:
        conditions.append(Breach.breached_at < until)
    if team:
        conditions.append(held_at_breach() == team)
    query = select(Breach).where(and_(True, *conditions))
    return paginate(session, query.order_by(Breach.breached_at.desc(), Breach.id), offset, limit)


def excluded_tickets(session: Session, agreement_id: int) -> dict[str, set[int]]:
    """``target → ticket ids`` whose breach was excluded (reports count them as met)."""
    query = select(Breach.target_key, Breach.ticket_id).where(
        Breach.agreement_id == agreement_id,
        Breach.excluded.is_(True),
        Breach.status != "withdrawn",
        Breach.ticket_id.is_not(None),
    )
    out: dict[str, set[int]] = {}
    for key, ticket in session.execute(query):
        if ticket is not None:
            out.setdefault(str(key), set()).add(int(ticket))
    return out


def breach_counts_between(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime
) -> tuple[int, int]:
    """``(breaches, excluded)`` of an agreement that happened in ``[start, end)`` (withdrawn
    ones left out)."""
    query = (
        select(Breach.excluded, func.count())
        .where(
            Breach.agreement_id == agreement_id,
            Breach.status != "withdrawn",
            Breach.breached_at >= start,
            Breach.breached_at < end,
        )
        .group_by(Breach.excluded)
    )
    counts = {bool(e): int(n) for e, n in session.execute(query)}
    return counts.get(False, 0) + counts.get(True, 0), counts.get(True, 0)


def excluded_by_target_between(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime
) -> dict[str, int]:
    """``target → excluded breaches`` of an agreement in ``[start, end)``."""
    query = (
        select(Breach.target_key, func.count())
        .where(
            Breach.agreement_id == agreement_id,
            Breach.excluded.is_(True),
            Breach.status != "withdrawn",
            Breach.breached_at >= start,
            Breach.breached_at < end,
        )
        .group_by(Breach.target_key)
    )
    return {str(k): int(n) for k, n in session.execute(query)}


def excluded_by_period(
    session: Session, agreement_id: int, bounds: list[dt.datetime]
) -> dict[tuple[int, str], int]:
    """``(period index, target) → excluded breaches`` over consecutive periods (one scan)."""
    index = period_index(Breach.breached_at, bounds)
    query = (
        select(index, Breach.target_key, func.count())
        .where(
            Breach.agreement_id == agreement_id,
            Breach.excluded.is_(True),
            Breach.status != "withdrawn",
            Breach.breached_at >= bounds[0],
            Breach.breached_at < bounds[-1],
        )
        .group_by(index, Breach.target_key)
    )
    return {(int(i), str(k)): int(n) for i, k, n in session.execute(query)}
