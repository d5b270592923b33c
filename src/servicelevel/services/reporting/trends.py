"""Compliance over time, from the stored measurements and breach records: month by month, per
ticket target, in the agreement's reporting zone. Review agendas, improvement plans (before
and after) and report trends read it; nothing here re-evaluates a ticket.

A month's figure counts the measurements that were decided in it (stopped, or breached while
running) as the engine's compliance does; an excluded breach counts as met.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.db.repositories.monitoring import alerts as alert_repo
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.engine.periods import Period, month
from servicelevel.services.agreements import reading as agreements


@dataclass(frozen=True)
class PeriodFigure:
    period: str  # 2026-03, 2026-Q1…
    met: int
    breached: int

    @property
    def within(self) -> float | None:
        decided = self.met + self.breached
        return self.met / decided if decided else None


@dataclass(frozen=True)
class TargetTrend:
    target: str
    name: str
    objective: float | None
    months: list[PeriodFigure]


@dataclass(frozen=True)
class AvailabilityTrend:
    target: str
    objective: float | None
    periods: list[str]
    values: list[float | None]


def decided(per_status: Mapping[str, int], excluded: int) -> tuple[int, int]:
    """Met and breached from counts per status, a breach excluded by decision counting as met
    (as the engine's compliance counts it)."""
    met = per_status.get("met", 0) + excluded
    return met, max(0, per_status.get("breached", 0) - excluded)


def months_between(first: dt.date, end: dt.date, timezone: str) -> list[Period]:
    """The calendar months from the one holding ``first`` up to the one before ``end``'s
    (whole months; at least one)."""
    out = [month(first.year, first.month, timezone)]
    while out[-1].end_date < end:
        nxt = out[-1].end_date
        out.append(month(nxt.year, nxt.month, timezone))
    return out


def by_target(session: Session, agreement: Agreement, periods: list[Period]) -> list[TargetTrend]:
    """Each ticket target of the agreement's current version, period by period (consecutive
    periods: two queries whatever their number)."""
    if not periods:
        return []
    bounds = [dt.datetime.fromtimestamp(p.start, dt.UTC) for p in periods]
    bounds.append(dt.datetime.fromtimestamp(periods[-1].end, dt.UTC))
    counts = measurement_repo.target_counts_by_period(session, agreement.id, bounds)
    waived = alert_repo.excluded_by_period(session, agreement.id, bounds)
    trends = []
    for target in agreements.current(agreement).targets:
        if target.kind != "ticket":
            continue
        months = []
        for i, p in enumerate(periods):
            met, breached = decided(counts.get((i, target.key), {}), waived.get((i, target.key), 0))
            months.append(PeriodFigure(p.label, met, breached))
        trends.append(TargetTrend(target.key, target.name, target.objective, months))
    return trends


def pooled(figures: list[PeriodFigure]) -> PeriodFigure:
    """Several months as one (counts added), e.g. "before the plan" and "after"."""
    label = f"{figures[0].period}..{figures[-1].period}" if figures else ""
    return PeriodFigure(label, sum(f.met for f in figures), sum(f.breached for f in figures))
