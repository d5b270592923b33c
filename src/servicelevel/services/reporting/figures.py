"""A report's figures as ONE model: numbers, not text, every rendering reads.

The page, the PDF, the spreadsheet, the CSV, the JSON of the API and a published revision are
all renderings of the dictionary :meth:`Figures.as_dict` returns, so they cannot disagree.
Units are in the key names (``_seconds``, ``_pct`` = percent 0..100); values keep their full
precision and are rounded only when a rendering shows them. Instants are ISO 8601 with the
agreement's offset.

Pure given its inputs (the engine's result and what the caller read from storage): the CLI
builds figures from files without a database, the services from stored records. The breaches'
table and their counts are built in :mod:`servicelevel.services.reporting.breach_tables`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from servicelevel.definitions.instants import format_instant
from servicelevel.engine.agreements import Agreement
from servicelevel.engine.availability import Availability
from servicelevel.engine.compliance import SHARE_LABELS, Compliance, budget_shares
from servicelevel.engine.credits import CreditClause, Credits, tier_for
from servicelevel.engine.evaluation import AgreementResult, TargetResult
from servicelevel.engine.periods import Period
from servicelevel.engine.targets import Target, TicketSet
from servicelevel.services.reporting.breach_tables import (
    BreachTable,
    Exclusions,
    breach_counts,
    breach_table,
)

SCHEMA = "servicelevel/report-figures/1"


@dataclass(frozen=True)
class Figures:
    agreement: dict[str, Any]
    targets: list[dict[str, Any]]
    availability: list[dict[str, Any]]
    credits: dict[str, Any] | None
    breach_table: BreachTable
    distribution: list[dict[str, Any]] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)
    satisfaction: dict[str, Any] | None = None
    availability_trend: list[dict[str, Any]] = field(default_factory=list)
    breach_counts: dict[str, Any] = field(default_factory=dict)
    # when ``breach_table`` holds only the breaches a page lists (the first ones and every
    # excluded one, see :meth:`BreachTable.shown`): how many it holds the first of, and how
    # to read them all
    listed: int | None = None
    every_breach: Callable[[], BreachTable] | None = None

    @cached_property
    def all_breaches(self) -> BreachTable:
        """Every breach of the period (read now when only the listed ones were)."""
        if self.every_breach is None:
            return self.breach_table
        return self.every_breach()

    @cached_property
    def breaches(self) -> list[dict[str, Any]]:
        """Every breach of the period as a record, earliest first."""
        return self.all_breaches.rows()

    def as_dict(self, first: int | None = None) -> dict[str, Any]:
        """The model as JSON; ``first``: only the first breaches (and every excluded one) —
        the page lists fifty of them, the counts stay those of all."""
        if first is None:
            listed = self.breaches
        else:
            held = self.listed is None or first <= self.listed
            table = self.breach_table if held else self.all_breaches
            listed = table.rows(table.shown(first))
        return {
            "schema": SCHEMA,
            "agreement": self.agreement,
            "targets": self.targets,
            "availability": self.availability,
            "credits": self.credits,
            "breaches": listed,
            "breach_counts": self.breach_counts,
            "distribution": self.distribution,
            "trend": self.trend,
            "availability_trend": self.availability_trend,
            "satisfaction": self.satisfaction,
        }


def pct(value: float | None) -> float | None:
    """A fraction as percent, unrounded."""
    return None if value is None else value * 100


def distribution_rows(r: TargetResult) -> list[dict[str, Any]]:
    """The time-to-resolve distribution of a target: clocks decided in the period by the
    share of their budget they used (engine ``budget_shares``)."""
    return shares_rows(r.target.id, budget_shares(r.measurements, r.in_period))


def shares_rows(target: str, counts: Iterable[int]) -> list[dict[str, Any]]:
    """A target's distribution rows from its counts per bucket (:data:`SHARE_LABELS`)."""
    return [
        {"target": target, "bucket": label, "count": n}
        for label, n in zip(SHARE_LABELS, counts, strict=True)
    ]


def target_row(r: TargetResult) -> dict[str, Any]:
    return target_row_of(r.target, r.compliance)


def target_row_of(t: Target, c: Compliance) -> dict[str, Any]:
    """A ticket target's figures: what it asks and how the period did."""
    return {
        "target": t.id,
        "name": t.name,
        "clock": t.clock,
        "applies_to": t.selector.describe(),
        "within": str(t.budget),
        "budget_seconds": None if t.budget.is_business_days else t.budget.seconds,
        "calendar": t.calendar,
        "objective_pct": pct(t.objective),
        "met": c.met,
        "breached": c.breached,
        "excluded": c.excluded,
        "open": c.open,
        "cancelled": c.cancelled,
        "pending": c.pending,
        "within_pct": pct(c.within),
        "objective_met": c.objective_met,
        "p50_seconds": c.percentiles.get(50.0),
        "p90_seconds": c.percentiles.get(90.0),
        "p95_seconds": c.percentiles.get(95.0),
        "mean_seconds": c.mean_used,
    }


def head(result: AgreementResult, tickets: TicketSet) -> dict[str, Any]:
    """Which agreement and period the figures are of."""
    return head_of(result.agreement, result.period, result.now, len(tickets))


def head_of(a: Agreement, period: Period, now: int, tickets: int) -> dict[str, Any]:
    """Which agreement and period the figures are of, as of ``now``, over how many tickets."""
    zone = ZoneInfo(a.timezone)
    return {
        "id": a.id,
        "kind": a.kind,
        "title": a.title,
        "provider": a.provider,
        "counterparty": a.counterparty,
        "timezone": a.timezone,
        "term_start": None if a.start is None else a.start.isoformat(),
        "term_end": None if a.end is None else a.end.isoformat(),
        "period": period.label,
        "period_start": format_instant(period.start, zone),
        "period_end": format_instant(period.end, zone),
        "as_of": format_instant(now, zone),
        "tickets": tickets,
    }


def availability_rows(result: AgreementResult) -> list[dict[str, Any]]:
    return availability_rows_of(result.availability)


def availability_rows_of(figures: Mapping[str, Availability]) -> list[dict[str, Any]]:
    return [
        {
            "target": k,
            "availability_pct": pct(v.availability),
            "objective_pct": pct(v.objective),
            "objective_met": v.objective_met,
            "agreed_seconds": v.agreed,
            "downtime_seconds": v.downtime,
            "outages": v.outages,
            "mttr_seconds": v.mttr,
            "mtbf_seconds": v.mtbf,
            "error_budget_seconds": v.error_budget,
            "budget_left_seconds": v.budget_left,
            "burn_rate": v.burn_rate,
        }
        for k, v in figures.items()
    ]


def credit_figures(result: AgreementResult) -> dict[str, Any] | None:
    """The credits owed, each clause's line with the reason it applies (or does not)."""
    return credit_figures_of(result.agreement, result.credits)


def credit_figures_of(agreement: Agreement, credits: Credits | None) -> dict[str, Any] | None:
    if credits is None:
        return None
    clauses = {c.id: c for c in agreement.credits}
    fee = agreement.fee
    return {
        "fee": credits.fee,
        "currency": fee.currency if fee else "",
        "total": credits.total,
        "capped": credits.capped,
        "lines": [
            {
                "clause": line.clause,
                "target": line.target,
                "metric_pct": pct(line.metric),
                "breaches": line.breaches,
                "amount": line.amount,
                "capped": line.capped,
                "reason": line.reason,
                **_rule(clauses[line.clause], line.metric),
            }
            for line in credits.lines
        ],
    }


def _rule(clause: CreditClause, metric: float | None) -> dict[str, Any]:
    """The numbers a reason is worded from in any language: the per-breach rate, or the
    threshold (percent) of the tier the metric fell below (``None``: no tier applies)."""
    tier = None if metric is None or not clause.tiers else tier_for(metric, clause.tiers)
    return {
        "per_breach": clause.per_breach or None,
        "tier_below_pct": None if tier is None else pct(tier.below),
        "tier_credit_pct": None if tier is None else pct(tier.credit),
    }


def figures(
    result: AgreementResult,
    tickets: TicketSet,
    *,
    trend: list[dict[str, Any]] | None = None,
    satisfaction: dict[str, Any] | None = None,
    availability_trend: list[dict[str, Any]] | None = None,
    exclusions: Exclusions | None = None,
) -> Figures:
    """Every figure of the report. ``trend`` (one row per target and period, the last period
    this one), ``availability_trend``, ``satisfaction`` and ``exclusions`` come from stored
    records, so the caller passes them in."""
    breaches = breach_table(result, tickets, exclusions or {})
    return Figures(
        agreement=head(result, tickets),
        targets=[target_row(r) for r in result.targets],
        availability=availability_rows(result),
        credits=credit_figures(result),
        breach_table=breaches,
        distribution=[row for r in result.targets for row in distribution_rows(r)],
        trend=trend or [],
        satisfaction=satisfaction,
        availability_trend=availability_trend or [],
        breach_counts=breach_counts(breaches),
    )
