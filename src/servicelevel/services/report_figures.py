"""A report's figures as ONE model: numbers, not text, every rendering reads.

The page, the PDF, the spreadsheet, the CSV, the JSON of the API and a published revision are
all renderings of the dictionary :meth:`Figures.as_dict` returns, so they cannot disagree.
Units are in the key names (``_seconds``, ``_pct`` = percent 0..100); values keep their full
precision and are rounded only when a rendering shows them. Instants are ISO 8601 with the
agreement's offset.

Pure given its inputs (the engine's result and what the caller read from storage): the CLI
builds figures from files without a database, the services from stored records.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from servicelevel.definitions.instants import format_instant
from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import NONE, Status
from servicelevel.engine.compliance import SHARE_LABELS, budget_shares
from servicelevel.engine.credits import CreditClause, tier_for
from servicelevel.engine.evaluation import AgreementResult, TargetResult
from servicelevel.engine.targets import TicketSet

SCHEMA = "servicelevel/report-figures/1"


@dataclass(frozen=True)
class Exclusion:
    """Why a breach was excluded (agreed with the customer) and when that was decided."""

    reason: str
    decided_at: str | None = None  # ISO 8601


Exclusions = Mapping[tuple[str, str], Exclusion]  # (target id, ticket number) → exclusion


@dataclass(frozen=True)
class Figures:
    agreement: dict[str, Any]
    targets: list[dict[str, Any]]
    availability: list[dict[str, Any]]
    credits: dict[str, Any] | None
    breaches: list[dict[str, Any]]
    distribution: list[dict[str, Any]] = field(default_factory=list)
    trend: list[dict[str, Any]] = field(default_factory=list)
    satisfaction: dict[str, Any] | None = None
    availability_trend: list[dict[str, Any]] = field(default_factory=list)
    breach_counts: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "agreement": self.agreement,
            "targets": self.targets,
            "availability": self.availability,
            "credits": self.credits,
            "breaches": self.breaches,
            "breach_counts": self.breach_counts,
            "distribution": self.distribution,
            "trend": self.trend,
            "availability_trend": self.availability_trend,
            "satisfaction": self.satisfaction,
        }


def pct(value: float | None) -> float | None:
    """A fraction as percent, unrounded."""
    return None if value is None else value * 100


@dataclass(frozen=True)
class PeriodBreaches:
    """The period's breaches of every ticket target, earliest first (ties: by target id, then
    in the order of the target's measurements), as parallel arrays: when, which target (its
    position in ``result.targets``), which measurement of it, which ticket of the report."""

    at: I64
    target: I64
    row: I64
    ticket: I64

    def __len__(self) -> int:
        return int(self.at.size)


def period_breaches(result: AgreementResult) -> PeriodBreaches:
    """One vectorised pass over the targets' measurements (a hundred thousand tickets: a few
    milliseconds, where a Python tuple per breach, sorted, took a second)."""
    parts: list[tuple[I64, I64, I64, I64]] = []
    rank = {t: i for i, t in enumerate(sorted(r.target.id for r in result.targets))}
    for position, r in enumerate(result.targets):
        m = r.measurements
        rows = np.flatnonzero(r.in_period & (m.status == Status.BREACHED)).astype(np.int64)
        same = np.full(rows.size, position, dtype=np.int64)
        parts.append((m.breached_at[rows].astype(np.int64), same, rows, r.tickets[rows]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return PeriodBreaches(empty, empty, empty, empty)
    at, target, row, ticket = (np.concatenate([p[i] for p in parts]) for i in range(4))
    ranks = np.array([rank[r.target.id] for r in result.targets], dtype=np.int64)[target]
    order = np.argsort(ranks, kind="stable")
    order = order[np.argsort(at[order], kind="stable")]
    return PeriodBreaches(at[order], target[order], row[order], ticket[order].astype(np.int64))


def distribution_rows(r: TargetResult) -> list[dict[str, Any]]:
    """The time-to-resolve distribution of a target: clocks decided in the period by the
    share of their budget they used (engine ``budget_shares``)."""
    counts = budget_shares(r.measurements, r.in_period)
    return [
        {"target": r.target.id, "bucket": label, "count": n}
        for label, n in zip(SHARE_LABELS, counts, strict=True)
    ]


def target_row(r: TargetResult) -> dict[str, Any]:
    c = r.compliance
    t = r.target
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


def breach_rows(
    r: TargetResult, tickets: TicketSet, zone: ZoneInfo, exclusions: Exclusions | None = None
) -> list[dict[str, Any]]:
    """One target's breaches of the period (see :func:`all_breach_rows` for the report's)."""
    hit = np.flatnonzero(r.in_period & (r.measurements.status == Status.BREACHED))
    return [_breach(r, int(k), tickets, zone, exclusions or {}) for k in hit.tolist()]


def all_breach_rows(
    result: AgreementResult, tickets: TicketSet, exclusions: Exclusions
) -> list[dict[str, Any]]:
    """Every breach of the period, earliest first, each with its target and ticket number,
    and whether it was excluded (and why)."""
    zone = ZoneInfo(result.agreement.timezone)
    b = period_breaches(result)
    return [
        _breach(result.targets[position], k, tickets, zone, exclusions)
        for position, k in zip(b.target.tolist(), b.row.tolist(), strict=True)
    ]


def _breach(
    r: TargetResult, k: int, tickets: TicketSet, zone: ZoneInfo, exclusions: Exclusions
) -> dict[str, Any]:
    m = r.measurements
    ticket = int(r.tickets[k])
    number = str(tickets.ids[ticket])
    excluded = exclusions.get((r.target.id, number))
    stopped = None if m.stopped_at[k] == NONE else format_instant(int(m.stopped_at[k]), zone)
    return {
        "target": r.target.id,
        "ticket": number,
        "target_name": r.target.name,
        "priority": _label(tickets, "priority", ticket),
        "category": _label(tickets, "category", ticket),
        "breached_at": format_instant(int(m.breached_at[k]), zone),
        "stopped_at": stopped,
        "used_seconds": int(m.used[k]),
        "budget_seconds": int(m.budget[k]),
        "over_seconds": int(m.used[k] - m.budget[k]),
        "excluded": excluded is not None,
        "exclusion_reason": None if excluded is None else excluded.reason,
        "exclusion_decided_at": None if excluded is None else excluded.decided_at,
    }


def _label(tickets: TicketSet, attribute: str, ticket: int) -> str:
    column = tickets.attributes.get(attribute)
    return "" if column is None else column.label(ticket)


def breach_counts(breaches: list[dict[str, Any]]) -> dict[str, Any]:
    """Breaches that count (not excluded) by priority and by category, most first (ties by
    label); the excluded ones only as their own count."""
    counted = [b for b in breaches if not b["excluded"]]
    return {
        "counted": len(counted),
        "excluded": len(breaches) - len(counted),
        "by_priority": _count_by(counted, "priority"),
        "by_category": _count_by(counted, "category"),
    }


def _count_by(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [{key: label, "count": n} for label, n in ordered]


def head(result: AgreementResult, tickets: TicketSet) -> dict[str, Any]:
    """Which agreement and period the figures are of."""
    a = result.agreement
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
        "period": result.period.label,
        "period_start": format_instant(result.period.start, zone),
        "period_end": format_instant(result.period.end, zone),
        "as_of": format_instant(result.now, zone),
        "tickets": len(tickets),
    }


def availability_rows(result: AgreementResult) -> list[dict[str, Any]]:
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
        for k, v in result.availability.items()
    ]


def credit_figures(result: AgreementResult) -> dict[str, Any] | None:
    """The credits owed, each clause's line with the reason it applies (or does not)."""
    if result.credits is None:
        return None
    clauses = {c.id: c for c in result.agreement.credits}
    fee = result.agreement.fee
    return {
        "fee": result.credits.fee,
        "currency": fee.currency if fee else "",
        "total": result.credits.total,
        "capped": result.credits.capped,
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
            for line in result.credits.lines
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
    breaches = all_breach_rows(result, tickets, exclusions or {})
    return Figures(
        agreement=head(result, tickets),
        targets=[target_row(r) for r in result.targets],
        availability=availability_rows(result),
        credits=credit_figures(result),
        breaches=breaches,
        distribution=[row for r in result.targets for row in distribution_rows(r)],
        trend=trend or [],
        satisfaction=satisfaction,
        availability_trend=availability_trend or [],
        breach_counts=breach_counts(breaches),
    )
