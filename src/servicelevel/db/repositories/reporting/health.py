"""Set-based reads for pages that show many agreements at once (the portfolio dashboard, a
service's health): one query per figure for all the agreements, never one per agreement.

Each agreement has its own window (its month in its reporting zone), so the windows are given
per agreement and the query is a union of ``agreement = a AND instant in [start, end)``
conditions, which both databases answer through the same indexes as the one-agreement queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, Breach, Measurement

Windows = Mapping[int, tuple[dt.datetime, dt.datetime]]  # agreement id → [start, end)


def in_force_ids(session: Session) -> list[int]:
    """Ids of the agreements with a version in force that have not ended, by code (as
    ``agreements.agreements_in_force`` orders them)."""
    query = (
        select(Agreement.id)
        .where(Agreement.status.in_(("active", "expiring", "signed")))
        .order_by(Agreement.code)
    )
    return list(session.scalars(query))


def status_counts(session: Session, windows: Windows) -> dict[int, dict[str, int]]:
    """``agreement → status → count`` of the measurements that count in each one's window."""
    if not windows:
        return {}
    at = Measurement.counted_at
    query = (
        select(Measurement.agreement_id, Measurement.status, func.count())
        .where(
            or_(
                *(
                    and_(Measurement.agreement_id == a, at >= start, at < end)
                    for a, (start, end) in windows.items()
                )
            )
        )
        .group_by(Measurement.agreement_id, Measurement.status)
    )
    out: dict[int, dict[str, int]] = {a: {} for a in windows}
    for agreement_id, status, n in session.execute(query):
        out[int(agreement_id)][str(status)] = int(n)
    return out


def breach_counts(session: Session, windows: Windows) -> dict[int, tuple[int, int]]:
    """``agreement → (breaches, excluded)`` that happened in each one's window (withdrawn
    ones left out)."""
    if not windows:
        return {}
    query = (
        select(Breach.agreement_id, Breach.excluded, func.count())
        .where(
            Breach.status != "withdrawn",
            or_(
                *(
                    and_(Breach.agreement_id == a, Breach.breached_at >= s, Breach.breached_at < e)
                    for a, (s, e) in windows.items()
                )
            ),
        )
        .group_by(Breach.agreement_id, Breach.excluded)
    )
    counts: dict[int, dict[bool, int]] = {a: {} for a in windows}
    for agreement_id, excluded, n in session.execute(query):
        counts[int(agreement_id)][bool(excluded)] = int(n)
    return {a: (c.get(False, 0) + c.get(True, 0), c.get(True, 0)) for a, c in counts.items()}


def at_risk(
    session: Session, agreement_ids: Collection[int], before: dt.datetime
) -> dict[int, int]:
    """``agreement → clocks still running whose deadline comes before ``before`` (or has
    passed)``, for each of ``agreement_ids``."""
    if not agreement_ids:
        return {}
    query = (
        select(Measurement.agreement_id, func.count())
        .where(
            Measurement.agreement_id.in_(list(agreement_ids)),
            Measurement.status.in_(("running", "breached")),
            Measurement.stopped_at.is_(None),
            Measurement.deadline < before,
        )
        .group_by(Measurement.agreement_id)
    )
    out = dict.fromkeys(agreement_ids, 0)
    for agreement_id, n in session.execute(query):
        out[int(agreement_id)] = int(n)
    return out
