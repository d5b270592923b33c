"""Compliance of a target over a period: counts, percentage within target, objective, percentiles.

Which period a measurement belongs to: a stopped clock (met or breached) to the period in which
it stopped; a clock still open but already breached to the period of its breach; an open clock
not yet breached to the period in which it started (it is counted as *open*, undecided).
Cancelled and pending clocks are counted but never decide compliance.
Percentage within target is ``met / (met + breached)``. A breach the provider and customer
agreed to exclude (e.g. caused by the customer) counts as met; ``excluded`` says how many of
the met were such breaches, so a report can list them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import NONE, Measurements, Status

DEFAULT_PERCENTILES = (50.0, 90.0, 95.0)
# Statuses as plain integers: comparing an array with an IntEnum member takes NumPy six times
# as long as with an int.
MET, BREACHED = int(Status.MET), int(Status.BREACHED)


@dataclass(frozen=True)
class Compliance:
    """A target's figures for one period."""

    met: int
    breached: int
    open: int
    cancelled: int
    pending: int
    within: float | None  # fraction met of decided, None when nothing was decided
    objective: float | None
    objective_met: bool | None
    percentiles: dict[float, int]  # working seconds used by decided tickets
    mean_used: float | None
    excluded: int = 0  # breaches excluded by decision, counted in ``met``

    @property
    def decided(self) -> int:
        return self.met + self.breached


def _percentiles(values: np.ndarray, percentiles: tuple[float, ...]) -> dict[float, int]:
    """Nearest-rank percentiles (an observed value, never an interpolation: "90 % of tickets
    took at most this long").

    One full sort rather than a partial one: times used repeat a lot (every response within
    the first minute of opening, say), and NumPy's partition slows down on repeated values
    (5 ms for 333,000 response times, where sorting them takes 0.4 ms)."""
    if not values.size or not percentiles:
        return {}
    ordered = np.sort(values)
    ranks = [max(0, int(np.ceil(p / 100 * values.size)) - 1) for p in percentiles]
    return {p: int(ordered[r]) for p, r in zip(percentiles, ranks, strict=True)}


def reporting_instants(m: Measurements) -> I64:
    """The instant that places each measurement in a period (see the module docstring)."""
    stopped = m.stopped_at != NONE
    at = np.where(stopped, m.stopped_at, m.started_at)
    open_breach = (m.status == BREACHED) & ~stopped  # breached at its deadline
    return np.where(open_breach, m.deadline, at)


def in_period(m: Measurements, start: int, end: int) -> np.ndarray:
    """Which measurements belong to ``[start, end)``."""
    at = reporting_instants(m)
    return (at >= start) & (at < end)


def compliance(
    m: Measurements,
    selected: np.ndarray,
    objective: float | None,
    percentiles: tuple[float, ...] = DEFAULT_PERCENTILES,
    excluded: np.ndarray | None = None,
) -> Compliance:
    """Figures over the measurements ``selected`` (a boolean mask or index array);
    ``excluded`` marks (over all measurements) breaches to count as met.

    A clock is decided when it met its target, or breached it and stopped; an excluded breach
    still open is counted as met but not decided (it has no final time)."""
    status = m.status[selected]
    stopped = m.stopped_at[selected] != NONE
    waived = None
    if excluded is not None:
        waived = excluded[selected] & (status == BREACHED)
        if not waived.any():
            waived = None
    if waived is None:
        decided = (status == MET) | ((status == BREACHED) & stopped)
    else:
        status = np.where(waived, np.int8(MET), status)
        decided = (status == MET) & (stopped | ~waived)
        decided |= (status == BREACHED) & stopped
    counts = {s: int(np.count_nonzero(status == int(s))) for s in Status}
    met, breached = counts[Status.MET], counts[Status.BREACHED]
    within = met / (met + breached) if met + breached else None
    values = m.used[selected][decided]
    return Compliance(
        met=met,
        breached=breached,
        open=counts[Status.RUNNING] + counts[Status.PAUSED],
        cancelled=counts[Status.CANCELLED],
        pending=counts[Status.PENDING],
        within=within,
        objective=objective,
        objective_met=None if within is None or objective is None else within >= objective,
        percentiles=_percentiles(values, percentiles),
        mean_used=float(values.mean()) if values.size else None,
        excluded=0 if waived is None else int(np.count_nonzero(waived)),
    )


SHARE_BUCKETS = (0.25, 0.5, 0.75, 1.0)  # upper bounds of the budget share used
SHARE_LABELS = ("≤25%", "25–50%", "50–75%", "75–100%", ">100%")


def budget_shares(m: Measurements, mask: np.ndarray) -> list[int]:
    """How many clocks decided (met or breached) among ``mask`` used up to each of
    :data:`SHARE_BUCKETS` of their budget, and how many more (the last count: breaches) — the
    time-to-resolve distribution relative to the agreed time."""
    decided = mask & ((m.status == MET) | (m.status == BREACHED))
    budget = m.budget[decided].astype(np.float64)
    used = m.used[decided].astype(np.float64)
    share = np.divide(used, budget, out=np.full(used.shape, np.inf), where=budget > 0)
    share[(budget == 0) & (used == 0)] = 0.0
    index = np.searchsorted(np.array(SHARE_BUCKETS), share, side="left")
    return [int(n) for n in np.bincount(index, minlength=len(SHARE_LABELS)).tolist()]
