"""A period's compliance figures per target counted by the database (issue 17), so that a
report need not read every stored measurement of the month (143,073 rows for 100,000 tickets)
to count them: one aggregate query gives each target's counts by status, the breaches excluded
by decision, the nearest-rank percentiles and the mean of the working time used.

The figures follow :func:`servicelevel.engine.compliance.compliance` over the measurements that
:func:`servicelevel.services.monitoring.stored_measurements.read` gives: a clock stored as running
whose deadline has passed by ``now`` has breached at its deadline (and counts in the period of its
deadline); an excluded breach counts as met, and its time used is a figure only when its clock
stopped. Percentiles are nearest-rank (an observed value): PostgreSQL's
``percentile_disc``, which takes the ``ceil(p × n)``-th value as the engine does; SQLite has no
ordered-set aggregates, so there the decided rows' times are read sorted and ranked here.

What a report page shows of a period in one statement, these figures among it, is
:func:`servicelevel.db.repositories.reporting.period_report.period_report`; it reads the rows
by the same terms (:func:`row_terms`).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, and_, case, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Measurement

STATUSES = ("met", "breached", "running", "paused", "cancelled", "pending")
SHARES = 5  # the time-used distribution's buckets (engine.compliance.SHARE_LABELS)


@dataclass(frozen=True)
class TargetFigures:
    """One target's figures in a period (``counts`` by status after the late clocks and the
    exclusions are applied; ``excluded`` of them are breaches counted as met); ``shares``:
    the decided clocks by the share of their budget used (engine ``budget_shares``), when
    asked for."""

    counts: dict[str, int]
    excluded: int
    decided: int
    used_sum: int
    percentiles: dict[float, int] = field(default_factory=dict)
    shares: tuple[int, ...] = ()

    @property
    def mean_used(self) -> float | None:
        """The mean as NumPy computes it over the same integers (an exact sum, then one
        division), so that it equals the engine's figure to the last bit."""
        return float(self.used_sum) / self.decided if self.decided else None


@dataclass(frozen=True)
class RowTerms:
    """A measurement row as of ``now`` in ``[start, end)``, as SQL expressions."""

    late: Any  # stored as running, its deadline passed by now: breached at its deadline
    status: Any  # the status with the late clocks breached
    at: Any  # the instant that places the row in a period
    waived: Any  # a breach excluded by decision
    final: Any  # the status counted: an excluded breach is met
    decided: Any  # its time used is a figure (met, or breached and stopped)
    counts: Any  # it counts in the period


def row_terms(
    start: dt.datetime, end: dt.datetime, now: dt.datetime, excluded: dict[str, set[int]]
) -> RowTerms:
    m = Measurement
    late = and_(
        m.status == "running", m.stopped_at.is_(None), m.deadline.is_not(None), m.deadline <= now
    )
    status = case((late, literal("breached")), else_=m.status)
    at = case((late, m.deadline), else_=m.counted_at)
    waived = and_(status == "breached", _excluded(excluded))
    final = case((waived, literal("met")), else_=status)
    stopped = m.stopped_at.is_not(None)
    decided = or_(and_(final == "met", or_(stopped, ~waived)), and_(final == "breached", stopped))
    return RowTerms(late, status, at, waived, final, decided, and_(at >= start, at < end))


def period_figures(
    session: Session,
    agreement_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime,
    excluded: dict[str, set[int]],
    percentiles: tuple[float, ...] = (50.0, 90.0, 95.0),
) -> dict[str, TargetFigures]:
    """``target → figures`` of the agreement's measurements that count in ``[start, end)`` as
    of ``now``; ``excluded`` is ``target → ticket ids`` whose breach was excluded."""
    m = Measurement
    t = row_terms(start, end, now, excluded)
    overdue = and_(t.late, m.deadline >= start, m.deadline < end)
    where = (
        m.agreement_id == agreement_id,
        or_(and_(m.counted_at >= start, m.counted_at < end), overdue),
        t.counts,
    )
    one = literal(1)
    aggregates: list[Any] = [
        *(func.count().filter(t.final == s) for s in STATUSES),
        func.count().filter(t.waived),
        func.count().filter(t.decided),
        func.coalesce(func.sum(m.used_seconds).filter(t.decided), 0),
    ]
    postgres = on_postgres(session)
    if postgres:
        aggregates += [
            func.percentile_disc(cast(p / 100, Float))
            .within_group(m.used_seconds)
            .filter(t.decided)
            for p in percentiles
        ]
    query = select(m.target_key, *aggregates).where(*where).group_by(m.target_key)
    out: dict[str, dict[str, Any]] = {}
    for row in session.execute(query):
        key, values = str(row[0]), list(row[1:])
        out[key] = figures_of_row(values, percentiles if postgres else ())
    if not postgres and out:
        times = select(m.target_key, m.used_seconds).where(*where, t.decided)
        ordered = times.order_by(m.target_key, m.used_seconds, one)
        rank_percentiles(session, ordered, out, percentiles)
    return {k: TargetFigures(**v) for k, v in out.items()}


def on_postgres(session: Session) -> bool:
    """Whether the database has ordered-set aggregates (``percentile_disc``)."""
    return session.get_bind().dialect.name == "postgresql"


def figures_of_row(
    values: list[Any], percentiles: tuple[float, ...], shares: int = 0
) -> dict[str, Any]:
    """A figures row's values (counts by status, excluded, decided, the sum of the time used,
    ``shares`` counts of the distribution, then the percentiles asked for) as
    :class:`TargetFigures`' fields."""
    n = len(STATUSES)
    ranked = zip(percentiles, values[n + 3 + shares :][: len(percentiles)], strict=True)
    return {
        "counts": {s: int(v) for s, v in zip(STATUSES, values[:n], strict=True)},
        "excluded": int(values[n]),
        "decided": int(values[n + 1]),
        "used_sum": int(values[n + 2]),
        "shares": tuple(int(v) for v in values[n + 3 : n + 3 + shares]),
        "percentiles": {p: int(v) for p, v in ranked if v is not None},
    }


def _excluded(excluded: dict[str, set[int]]) -> Any:
    """Whether a row's ticket had its breach excluded for the row's target."""
    chosen = [
        and_(Measurement.target_key == key, Measurement.ticket_id.in_(sorted(ids)))
        for key, ids in sorted(excluded.items())
        if ids
    ]
    return or_(False, *chosen)


def rank_percentiles(
    session: Session, query: Any, out: dict[str, dict[str, Any]], percentiles: tuple[float, ...]
) -> None:
    """SQLite's twin of ``percentile_disc``: the ``ceil(p × n)``-th of each target's sorted
    decided times (the engine's nearest rank)."""
    by_target: dict[str, list[int]] = {}
    for key, used in session.execute(query):
        by_target.setdefault(str(key), []).append(int(used))
    for key, values in by_target.items():
        if key not in out:
            continue
        ranks = {p: max(0, math.ceil(p / 100 * len(values)) - 1) for p in percentiles}
        out[key]["percentiles"] = {p: values[r] for p, r in ranks.items()}
