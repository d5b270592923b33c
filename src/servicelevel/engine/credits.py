"""Service credits: what the provider owes when targets are missed, as data.

A clause either grades a metric in tiers (availability below 99.9 % → 10 % of the fee, below 99 %
→ 25 %: the most severe tier that applies wins, each threshold strictly "below"), or charges a
fixed amount per breached ticket of a target. Each clause may be capped, and the agreement may
cap the sum of all clauses as a fraction of the period's fee.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Tier:
    below: float  # the metric (a fraction) strictly below this earns ``credit``
    credit: float  # fraction of the period's fee


@dataclass(frozen=True)
class CreditClause:
    """One compensation clause; ``target`` names the target or availability target it reads."""

    id: str
    target: str
    tiers: tuple[Tier, ...] = ()
    per_breach: float = 0.0  # amount per breached ticket
    cap: float | None = None  # fraction of the fee (tiers) or an amount (per breach)
    description: str = ""

    def __post_init__(self) -> None:
        if not self.tiers and not self.per_breach:
            raise ValueError(f"credit clause {self.id!r} needs tiers or a per-breach amount")
        if self.tiers and self.per_breach:
            raise ValueError(f"credit clause {self.id!r}: use tiers or per_breach, not both")


@dataclass(frozen=True)
class CreditLine:
    clause: str
    target: str
    metric: float | None
    breaches: int
    amount: float
    capped: bool
    reason: str  # in English, for logs and the CLI; documents word it from the fields below
    tier_below: float | None = None  # the threshold of the tier that applies (tiers)
    per_breach: float = 0.0  # the amount per breached ticket (per-breach clauses)


@dataclass(frozen=True)
class Credits:
    lines: tuple[CreditLine, ...]
    total: float
    fee: float
    capped: bool


def tier_for(metric: float, tiers: Sequence[Tier]) -> Tier | None:
    """The most severe tier whose threshold the metric is strictly below."""
    hits = [t for t in tiers if metric < t.below]
    return min(hits, key=lambda t: t.below) if hits else None


def compute_credits(
    clauses: Sequence[CreditClause],
    metrics: Mapping[str, float | None],
    breaches: Mapping[str, int],
    fee: float,
    total_cap: float | None = None,
) -> Credits:
    """Credits for one period. ``metrics``: achieved fraction per target (compliance or
    availability; ``None`` when nothing was measured, which earns nothing)."""
    lines = [_line(c, metrics.get(c.target), breaches.get(c.target, 0), fee) for c in clauses]
    total = sum(line.amount for line in lines)
    capped = False
    if total_cap is not None and total > total_cap * fee:
        total, capped = total_cap * fee, True
    return Credits(tuple(lines), round(total, 2), fee, capped)


def _line(clause: CreditClause, metric: float | None, breaches: int, fee: float) -> CreditLine:
    tier: Tier | None = None
    if clause.tiers:
        tier = None if metric is None else tier_for(metric, clause.tiers)
        amount = 0.0 if tier is None else tier.credit * fee
        limit = None if clause.cap is None else clause.cap * fee
        reason = "no tier applies" if tier is None else f"below {tier.below * 100:g}%"
    else:
        amount = clause.per_breach * breaches
        limit = clause.cap
        reason = f"{breaches} breach(es) × {clause.per_breach:g}"
    capped = limit is not None and amount > limit
    if capped and limit is not None:
        amount = limit
    return CreditLine(
        clause.id,
        clause.target,
        metric,
        breaches,
        round(amount, 2),
        capped,
        reason,
        tier_below=None if tier is None else tier.below,
        per_breach=clause.per_breach,
    )
