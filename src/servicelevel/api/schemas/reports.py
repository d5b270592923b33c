"""The report figures model as the API documents it (``services.reporting.figures`` builds it).

Numbers are numbers; the unit is in the key: ``_seconds`` (working or real seconds),
``_pct`` (percent, 0–100). Nothing is rounded: round when you show a value. Instants are ISO
8601 with the agreement's UTC offset. ``null`` means "nothing to show" (no clock decided, a
period before the agreement's term, no outage to measure).
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.services.reporting.figures import SCHEMA


class _Figures(BaseModel):
    model_config = ConfigDict(extra="allow")  # a later schema may add keys; never removes


class ReportHead(_Figures):
    id: str = Field(description="The agreement's code.")
    code: str | None = None
    kind: str
    title: str
    provider: str
    counterparty: str
    timezone: str = Field(description="Reporting periods are cut at midnight here.")
    term_start: dt.date | None
    term_end: dt.date | None
    version_number: int | None = None
    period: str = Field(description="2026-03, 2026-Q1, 2026…")
    period_start: str
    period_end: str
    as_of: str = Field(description="The figures are as of this instant.")
    tickets: int


class TargetFigures(_Figures):
    target: str
    name: str
    clock: str
    applies_to: str
    within: str = Field(description="The agreed time as written (4h, 2bd).")
    budget_seconds: int | None = Field(description="null for a budget in business days.")
    calendar: str
    objective_pct: float | None
    met: int = Field(description="Met, including breaches excluded by decision.")
    breached: int = Field(description="Breached and not excluded.")
    excluded: int = Field(description="Breaches excluded by decision (counted in met).")
    open: int
    cancelled: int
    pending: int
    within_pct: float | None = Field(description="met / (met + breached) × 100.")
    objective_met: bool | None
    p50_seconds: int | None
    p90_seconds: int | None
    p95_seconds: int | None
    mean_seconds: float | None


class AvailabilityFigures(_Figures):
    target: str
    availability_pct: float | None
    objective_pct: float | None
    objective_met: bool | None
    agreed_seconds: int
    downtime_seconds: int
    outages: int
    mttr_seconds: float | None
    mtbf_seconds: float | None
    error_budget_seconds: float | None
    budget_left_seconds: float | None
    burn_rate: float | None


class CreditLineFigures(_Figures):
    clause: str
    target: str
    metric_pct: float | None
    breaches: int
    amount: float
    capped: bool
    reason: str = Field(description="Why the clause applies, or does not (English).")
    per_breach: float | None = Field(description="The amount per breach, for such a clause.")
    tier_below_pct: float | None = Field(description="The threshold of the tier that applied.")
    tier_credit_pct: float | None = Field(description="That tier's credit, percent of the fee.")


class CreditFigures(_Figures):
    fee: float
    currency: str
    total: float
    capped: bool
    lines: list[CreditLineFigures]


class BreachFigures(_Figures):
    target: str
    target_name: str
    ticket: str = Field(description="The ticket's number (its id in the source system).")
    priority: str
    category: str
    breached_at: str
    stopped_at: str | None
    used_seconds: int
    budget_seconds: int
    over_seconds: int
    excluded: bool = Field(description="Excluded by decision: not counted as a breach.")
    exclusion_reason: str | None
    exclusion_decided_at: str | None


class PriorityCount(_Figures):
    priority: str
    count: int


class CategoryCount(_Figures):
    category: str
    count: int


class BreachCounts(_Figures):
    counted: int = Field(description="Breaches that count (excluded ones left out).")
    excluded: int
    by_priority: list[PriorityCount] = Field(description="Counted breaches only, most first.")
    by_category: list[CategoryCount] = Field(description="Counted breaches only, most first.")


class DistributionFigures(_Figures):
    target: str
    bucket: str = Field(description="Share of the agreed time used: ≤25%, …, >100%.")
    count: int


class TrendFigures(_Figures):
    target: str
    period: str
    met: int
    breached: int
    within_pct: float | None


class AvailabilityTrendFigures(_Figures):
    target: str
    period: str
    availability_pct: float | None = Field(description="null outside the term or not begun.")
    objective_pct: float | None


class SatisfactionFigures(_Figures):
    period: str
    answers: int
    mean_pct: float | None = Field(description="The mean score as a share of the best score.")
    low: int


class ReportFiguresOut(_Figures):
    """Every figure of a service report; the page, PDF, XLSX and CSV render exactly these."""

    report_schema: str = Field(
        default=SCHEMA, alias="schema", description=f"Always {SCHEMA!r} for this shape."
    )
    agreement: ReportHead
    targets: list[TargetFigures]
    availability: list[AvailabilityFigures]
    credits: CreditFigures | None
    breaches: list[BreachFigures] = Field(description="Every breach of the period, earliest first.")
    breach_counts: BreachCounts
    distribution: list[DistributionFigures]
    trend: list[TrendFigures] = Field(description="12 periods per target, the last this one.")
    availability_trend: list[AvailabilityTrendFigures]
    satisfaction: SatisfactionFigures | None
