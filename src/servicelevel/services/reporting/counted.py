"""The engine's shapes from the figures the database counted: a target's compliance, the
credits owed and the breaches' columns, worded as the engine words them, so a report counted in
one statement over the stored measurements reads exactly as one evaluated again.

Split from :mod:`servicelevel.services.reporting.compute`, which reads the counts
(:func:`servicelevel.db.repositories.reporting.period_report.period_report`) and builds the
model from these; pure given the counts.
"""

from __future__ import annotations

import numpy as np

from servicelevel.db.repositories.reporting import compliance_figures, period_report
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.availability import Availability
from servicelevel.engine.clocks import NONE
from servicelevel.engine.compliance import Compliance
from servicelevel.engine.credits import Credits, compute_credits
from servicelevel.engine.periods import Period
from servicelevel.engine.targets import Target
from servicelevel.services.reporting.breach_tables import BreachColumns


def compliance_of(target: Target, f: compliance_figures.TargetFigures | None) -> Compliance:
    """The engine's :class:`Compliance` from the counted figures (as
    :func:`servicelevel.engine.compliance.compliance` words them)."""
    counts = f.counts if f is not None else {}
    met, breached = counts.get("met", 0), counts.get("breached", 0)
    within = met / (met + breached) if met + breached else None
    objective = target.objective
    return Compliance(
        met=met,
        breached=breached,
        open=counts.get("running", 0) + counts.get("paused", 0),
        cancelled=counts.get("cancelled", 0),
        pending=counts.get("pending", 0),
        within=within,
        objective=objective,
        objective_met=None if within is None or objective is None else within >= objective,
        percentiles=dict(f.percentiles) if f is not None else {},
        mean_used=f.mean_used if f is not None else None,
        excluded=f.excluded if f is not None else 0,
    )


def shares_of(f: compliance_figures.TargetFigures | None) -> tuple[int, ...]:
    """A target's counts per share of its budget used (none when nothing was counted)."""
    return f.shares if f is not None else (0,) * compliance_figures.SHARES


def credits_of(
    engine: EngineAgreement,
    complied: list[tuple[Target, Compliance]],
    avail: dict[str, Availability],
    period: Period,
) -> Credits | None:
    """The credits owed, as :func:`servicelevel.engine.evaluation.assemble` reckons them."""
    if not engine.credits:
        return None
    metrics: dict[str, float | None] = {t.id: c.within for t, c in complied}
    metrics.update({k: v.availability for k, v in avail.items()})
    counted = {t.id: c.breached for t, c in complied}
    fee = 0.0
    if engine.fee is not None:
        fee = engine.fee.amount * period.months / engine.fee.months
    return compute_credits(engine.credits, metrics, counted, fee, engine.credit_cap)


def breach_columns_of(rows: list[period_report.BreachRow]) -> BreachColumns:
    """The breaches the database read, as the columns the model's table is built from."""

    def ints(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=np.int64).reshape(-1)

    return BreachColumns(
        target=[b.target for b in rows],
        ticket=[b.number for b in rows],
        priority=[b.priority for b in rows],
        category=[b.category for b in rows],
        at=ints([b.at for b in rows]),
        stopped=ints([NONE if b.stopped_at is None else b.stopped_at for b in rows]),
        used=ints([b.used for b in rows]),
        budget=ints([b.budget for b in rows]),
    )
