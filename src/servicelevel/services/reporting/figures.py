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

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from servicelevel.definitions.instants import format_instant
from servicelevel.engine.agreements import Agreement
from servicelevel.engine.availability import Availability
from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import NONE, Status
from servicelevel.engine.compliance import SHARE_LABELS, Compliance, budget_shares
from servicelevel.engine.credits import CreditClause, Credits, tier_for
from servicelevel.engine.evaluation import AgreementResult, TargetResult
from servicelevel.engine.periods import Period
from servicelevel.engine.targets import Target, TicketSet

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


BREACH_KEYS = (
    "target",
    "ticket",
    "target_name",
    "priority",
    "category",
    "breached_at",
    "stopped_at",
    "used_seconds",
    "budget_seconds",
    "over_seconds",
    "excluded",
    "exclusion_reason",
    "exclusion_decided_at",
)


@dataclass(frozen=True)
class BreachTable:
    """The period's breaches as columns (one list per key of :data:`BREACH_KEYS`), earliest
    first. A month of a hundred thousand tickets has tens of thousands of breaches: the
    columns are built in a few vectorised steps, and rows (dictionaries) only for the
    renderings that list them all; the page lists the first fifty and counts the rest."""

    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.columns["target"])

    def rows(self, positions: Iterable[int] | None = None) -> list[dict[str, Any]]:
        chosen = range(len(self)) if positions is None else positions
        cols = [self.columns[k] for k in BREACH_KEYS]
        return [dict(zip(BREACH_KEYS, [c[i] for c in cols], strict=True)) for i in chosen]

    def shown(self, first: int) -> list[int]:
        """The positions of the first ``first`` breaches and of every excluded one."""
        flags = self.columns["excluded"]
        return [i for i in range(len(self)) if i < first or flags[i]]


def all_breach_rows(
    result: AgreementResult, tickets: TicketSet, exclusions: Exclusions
) -> list[dict[str, Any]]:
    """Every breach of the period, earliest first, each with its target and ticket number,
    and whether it was excluded (and why)."""
    return breach_table(result, tickets, exclusions).rows()


def breach_table(
    result: AgreementResult, tickets: TicketSet, exclusions: Exclusions
) -> BreachTable:
    """:func:`period_breaches` as columns: the measurements' figures gathered per target, the
    instants written in the agreement's zone at once (:func:`iso_instants`)."""
    b = period_breaches(result)
    n = len(b)
    used, budget, stopped = (np.zeros(n, dtype=np.int64) for _ in range(3))
    for position, r in enumerate(result.targets):
        mine = b.target == position
        rows = b.row[mine]
        used[mine] = r.measurements.used[rows]
        budget[mine] = r.measurements.budget[rows]
        stopped[mine] = r.measurements.stopped_at[rows]
    ids = [r.target.id for r in result.targets]
    target = [ids[p] for p in b.target.tolist()]
    return table_of(
        BreachColumns(
            target=target,
            ticket=[str(t) for t in np.asarray(tickets.ids)[b.ticket].tolist()],
            priority=_labels(tickets, "priority", b.ticket),
            category=_labels(tickets, "category", b.ticket),
            at=b.at,
            stopped=stopped,
            used=used,
            budget=budget,
        ),
        {r.target.id: r.target.name for r in result.targets},
        exclusions,
        ZoneInfo(result.agreement.timezone),
    )


@dataclass(frozen=True)
class BreachColumns:
    """Breaches, earliest first, as they were read: target ids, ticket numbers, the tickets'
    priority and category, when each breached, when its clock stopped (``NONE``: it has
    not), the time used and the budget (seconds)."""

    target: list[str]
    ticket: list[str]
    priority: list[str]
    category: list[str]
    at: I64
    stopped: I64
    used: I64
    budget: I64


def table_of(
    b: BreachColumns, names: Mapping[str, str], exclusions: Exclusions, zone: ZoneInfo
) -> BreachTable:
    """The breaches as the model's columns, with each target's name and each exclusion's
    reason; instants written in the agreement's zone at once (:func:`iso_instants`)."""
    notes = [exclusions.get(key) for key in zip(b.target, b.ticket, strict=True)]
    ended = b.stopped != NONE
    stopped_text = iso_instants(np.where(ended, b.stopped, b.at), zone)
    columns: dict[str, list[Any]] = {
        "target": b.target,
        "ticket": b.ticket,
        "target_name": [names[t] for t in b.target],
        "priority": b.priority,
        "category": b.category,
        "breached_at": iso_instants(b.at, zone),
        "stopped_at": [t if e else None for t, e in zip(stopped_text, ended.tolist(), strict=True)],
        "used_seconds": b.used.tolist(),
        "budget_seconds": b.budget.tolist(),
        "over_seconds": (b.used - b.budget).tolist(),
        "excluded": [e is not None for e in notes],
        "exclusion_reason": [None if e is None else e.reason for e in notes],
        "exclusion_decided_at": [None if e is None else e.decided_at for e in notes],
    }
    return BreachTable(columns)


def _labels(tickets: TicketSet, attribute: str, which: I64) -> list[str]:
    column = tickets.attributes.get(attribute)
    if column is None:
        return [""] * int(which.size)
    values = np.array(["", *column.values], dtype=object)
    return [str(v) for v in values[column.codes[which].astype(np.int64) + 1].tolist()]


def iso_instants(at: I64, zone: ZoneInfo) -> list[str]:
    """``format_instant`` of many instants at once: the zone's offset looked up once per hour
    they fall in (offsets change on the hour), the local times written by NumPy."""
    if not at.size:
        return []
    hours, where = np.unique(at // 3600, return_inverse=True)
    offsets = np.array([_offset(int(h) * 3600, zone) for h in hours.tolist()], dtype=np.int64)[
        where.reshape(-1)
    ]
    local = np.datetime_as_string((at + offsets).astype("datetime64[s]"), unit="s").tolist()
    suffix = {int(o): _offset_text(int(o)) for o in np.unique(offsets).tolist()}
    return [t + suffix[o] for t, o in zip(local, offsets.tolist(), strict=True)]


def _offset(epoch: int, zone: ZoneInfo) -> int:
    delta = dt.datetime.fromtimestamp(epoch, zone).utcoffset()
    return 0 if delta is None else int(delta.total_seconds())


def _offset_text(seconds: int) -> str:
    """``+08:00`` as ``isoformat`` writes an offset (seconds only when there are any)."""
    sign, rest = ("-" if seconds < 0 else "+"), abs(seconds)
    text = f"{sign}{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text + (f":{rest % 60:02d}" if rest % 60 else "")


def breach_counts(table: BreachTable) -> dict[str, Any]:
    """Breaches that count (not excluded) by priority and by category, most first (ties by
    label); the excluded ones only as their own count."""
    flags = table.columns["excluded"]
    counted = [i for i, excluded in enumerate(flags) if not excluded]
    by = {k: Counter(table.columns[k][i] for i in counted) for k in ("priority", "category")}
    return counts_of(by["priority"], by["category"], len(flags) - len(counted))


def counts_of(
    by_priority: Mapping[str, int], by_category: Mapping[str, int], excluded: int
) -> dict[str, Any]:
    """The model's breach counts from the counted breaches per priority and per category and
    the number excluded."""
    return {
        "counted": sum(by_priority.values()),
        "excluded": excluded,
        "by_priority": _ordered(by_priority, "priority"),
        "by_category": _ordered(by_category, "category"),
    }


def _ordered(counts: Mapping[str, int], key: str) -> list[dict[str, Any]]:
    ordered = sorted(((k, n) for k, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0]))
    return [{key: label, "count": n} for label, n in ordered]


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
