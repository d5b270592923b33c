"""One source of figures: an :class:`AgreementResult` as plain rows for every rendering.

The CLI table, JSON and CSV (and later the web page, PDF and spreadsheet) all read these rows,
so the same number can never be computed twice in two ways.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from servicelevel.definitions.instants import format_instant
from servicelevel.engine.clocks import NONE, Status
from servicelevel.engine.compliance import SHARE_LABELS, budget_shares
from servicelevel.engine.evaluation import AgreementResult, TargetResult
from servicelevel.engine.targets import TicketSet


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

    def as_dict(self) -> dict[str, Any]:
        return {
            "agreement": self.agreement,
            "targets": self.targets,
            "availability": self.availability,
            "credits": self.credits,
            "breaches": self.breaches,
            "distribution": self.distribution,
            "trend": self.trend,
            "satisfaction": self.satisfaction,
        }


def distribution_rows(r: TargetResult) -> list[dict[str, Any]]:
    """The time-to-resolve distribution of a target: clocks decided in the period by the
    share of their budget they used (engine ``budget_shares``)."""
    counts = budget_shares(r.measurements, r.in_period)
    return [
        {"target": r.target.id, "bucket": label, "count": n}
        for label, n in zip(SHARE_LABELS, counts, strict=True)
    ]


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 4)


def target_row(r: TargetResult) -> dict[str, Any]:
    c = r.compliance
    t = r.target
    return {
        "target": t.id,
        "name": t.name,
        "clock": t.clock,
        "applies_to": t.selector.describe(),
        "within": str(t.budget),
        "calendar": t.calendar,
        "objective_pct": _pct(t.objective),
        "met": c.met,
        "breached": c.breached,
        "open": c.open,
        "cancelled": c.cancelled,
        "pending": c.pending,
        "within_pct": _pct(c.within),
        "objective_met": c.objective_met,
        "p50_seconds": c.percentiles.get(50.0),
        "p90_seconds": c.percentiles.get(90.0),
        "p95_seconds": c.percentiles.get(95.0),
        "mean_seconds": None if c.mean_used is None else round(c.mean_used, 1),
    }


def breach_rows(r: TargetResult, tickets: TicketSet, zone: ZoneInfo) -> list[dict[str, Any]]:
    m = r.measurements
    hit = np.flatnonzero(r.in_period & (m.status == Status.BREACHED))
    rows = []
    for k in hit.tolist():
        ticket = int(r.tickets[k])
        rows.append(
            {
                "target": r.target.id,
                "ticket": tickets.ids[ticket],
                "priority": _label(tickets, "priority", ticket),
                "category": _label(tickets, "category", ticket),
                "breached_at": format_instant(int(m.breached_at[k]), zone),
                "stopped_at": None
                if m.stopped_at[k] == NONE
                else format_instant(int(m.stopped_at[k]), zone),
                "used_seconds": int(m.used[k]),
                "budget_seconds": int(m.budget[k]),
                "over_seconds": int(m.used[k] - m.budget[k]),
            }
        )
    return rows


def _label(tickets: TicketSet, attribute: str, ticket: int) -> str:
    column = tickets.attributes.get(attribute)
    return "" if column is None else column.label(ticket)


def figures(
    result: AgreementResult,
    tickets: TicketSet,
    *,
    trend: list[dict[str, Any]] | None = None,
    satisfaction: dict[str, Any] | None = None,
) -> Figures:
    """The rows of every section. ``trend`` (one row per target and period, the last period
    this one) and ``satisfaction`` come from stored records, so the caller passes them in."""
    a = result.agreement
    zone = ZoneInfo(a.timezone)
    head = {
        "id": a.id,
        "kind": a.kind,
        "title": a.title,
        "provider": a.provider,
        "counterparty": a.counterparty,
        "period": result.period.label,
        "period_start": format_instant(result.period.start, zone),
        "period_end": format_instant(result.period.end, zone),
        "as_of": format_instant(result.now, zone),
        "tickets": len(tickets),
    }
    avail = [
        {
            "target": k,
            "availability_pct": _pct(v.availability),
            "objective_pct": _pct(v.objective),
            "objective_met": v.objective_met,
            "agreed_seconds": v.agreed,
            "downtime_seconds": v.downtime,
            "outages": v.outages,
            "mttr_seconds": None if v.mttr is None else round(v.mttr, 1),
            "mtbf_seconds": None if v.mtbf is None else round(v.mtbf, 1),
            "error_budget_seconds": None if v.error_budget is None else round(v.error_budget, 1),
            "budget_left_seconds": None if v.budget_left is None else round(v.budget_left, 1),
            "burn_rate": None if v.burn_rate is None else round(v.burn_rate, 4),
        }
        for k, v in result.availability.items()
    ]
    credits = None
    if result.credits is not None:
        credits = {
            "fee": result.credits.fee,
            "currency": a.fee.currency if a.fee else "",
            "total": result.credits.total,
            "capped": result.credits.capped,
            "lines": [
                {
                    "clause": line.clause,
                    "target": line.target,
                    "metric_pct": _pct(line.metric),
                    "breaches": line.breaches,
                    "amount": line.amount,
                    "capped": line.capped,
                    "reason": line.reason,
                }
                for line in result.credits.lines
            ],
        }
    breaches = [row for r in result.targets for row in breach_rows(r, tickets, zone)]
    spread = [row for r in result.targets for row in distribution_rows(r)]
    return Figures(
        head,
        [target_row(r) for r in result.targets],
        avail,
        credits,
        breaches,
        spread,
        trend or [],
        satisfaction,
    )
