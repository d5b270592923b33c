"""The periods before the one reported on, as a report shows them: each ticket target's
compliance and each availability target's availability over :data:`TREND_PERIODS` periods of
the report's kind, ending on the report's own figure, and the customer's satisfaction answers;
as the rows every rendering reads.

Split from :mod:`servicelevel.services.reporting.compute` (the period's own figures), which
reads both the evaluated and the counted figures through it. The earlier periods come from the
stored measurements and outages (:mod:`servicelevel.services.reporting.trends`); nothing here
evaluates a ticket.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.availability import Availability, availability
from servicelevel.engine.compliance import Compliance
from servicelevel.engine.evaluation import AgreementResult
from servicelevel.engine.periods import Period
from servicelevel.engine.targets import Target
from servicelevel.services.monitoring import outages
from servicelevel.services.reporting import trends
from servicelevel.services.satisfaction import surveys

TREND_PERIODS = 12  # the period reported on and the 11 before it


def availability_history(
    session: Session, engine: EngineAgreement, result: AgreementResult
) -> list[trends.AvailabilityTrend]:
    """Each availability target over the last :data:`TREND_PERIODS` periods (recorded outages
    within the target's calendar; the last period is the report's own figure)."""
    return availability_history_of(session, engine, result.period, result.now, result.availability)


def availability_history_of(
    session: Session,
    engine: EngineAgreement,
    period: Period,
    now: int,
    figures: Mapping[str, Availability],
) -> list[trends.AvailabilityTrend]:
    """:func:`availability_history` from the period, the moment and the period's own figures."""
    periods = period.trailing(TREND_PERIODS)[:-1]
    out = []
    for a in engine.availability:
        values = [
            availability(
                outages.outage_spans(session, a.service, p),
                engine.calendars[a.calendar],
                p.start,
                p.end,
                a.objective,
                as_of=now,
            ).availability
            if p.start < now and in_term(engine, p)
            else None
            for p in periods
        ]
        values.append(figures[a.id].availability)
        labels = [p.label for p in periods] + [period.label]
        out.append(trends.AvailabilityTrend(a.id, a.objective, labels, values))
    return out


def in_term(engine: EngineAgreement, period: Period) -> bool:
    """Whether any day of ``period`` lies within the agreement's term (a month before it
    starts has no availability to report, as it has no compliance)."""
    if engine.start is not None and period.end_date <= engine.start:
        return False
    return engine.end is None or period.first <= engine.end


def history(
    session: Session, agreement: Agreement, result: AgreementResult
) -> list[trends.TargetTrend]:
    """Each ticket target's compliance over :data:`TREND_PERIODS` periods of the report's kind:
    the earlier ones from the stored measurements, the last one the report's own figures, so
    the trend ends on the number the report shows."""
    complied = [(r.target, r.compliance) for r in result.targets]
    return history_of(session, agreement, result.period, complied)


def history_of(
    session: Session,
    agreement: Agreement,
    period: Period,
    complied: list[tuple[Target, Compliance]],
) -> list[trends.TargetTrend]:
    """:func:`history` from the period and each ticket target's compliance in it."""
    periods = period.trailing(TREND_PERIODS)[:-1]
    stored = {t.target: t for t in trends.by_target(session, agreement, periods)}
    out = []
    for target, c in complied:
        before = stored.get(target.id)
        months = before.months if before else [trends.PeriodFigure(p.label, 0, 0) for p in periods]
        now = trends.PeriodFigure(period.label, c.met, c.breached)
        out.append(trends.TargetTrend(target.id, target.name, target.objective, [*months, now]))
    return out


def trend_rows_of(history: list[trends.TargetTrend]) -> list[dict[str, Any]]:
    """The history as rows (target, period, met, breached, within %) for every rendering."""
    return [
        {
            "target": t.target,
            "period": m.period,
            "met": m.met,
            "breached": m.breached,
            "within_pct": None if m.within is None else m.within * 100,
        }
        for t in history
        for m in t.months
    ]


def availability_trend_rows_of(uptime: list[trends.AvailabilityTrend]) -> list[dict[str, Any]]:
    """Availability (percent; ``None`` outside the term or not begun) per target and period."""
    return [
        {
            "target": u.target,
            "period": period,
            "availability_pct": None if value is None else value * 100,
            "objective_pct": None if u.objective is None else u.objective * 100,
        }
        for u in uptime
        for period, value in zip(u.periods, u.values, strict=True)
    ]


def satisfaction_row_of(s: surveys.Summary) -> dict[str, Any]:
    """The period's satisfaction answers: how many, the mean (percent) and how many were low."""
    mean = None if s.mean is None else s.mean * 100
    return {"period": s.period, "answers": s.count, "mean_pct": mean, "low": s.low}
