"""Availability within service hours: downtime, outages, MTBF/MTTR, error budget and burn rate.

Unplanned outages are merged (overlapping reports of one incident count once); planned outages
and maintenance windows are cut out of both the downtime and the agreed service time. Only
working time of the service-hours calendar counts: an outage at night on a business-hours
service costs nothing. An outage counts in the number of outages when it cost downtime within
the window; an outage split by a maintenance window is still one outage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import I64
from servicelevel.engine.intervals import subtract, union


@dataclass(frozen=True)
class Outages:
    """Outage spans ``[start, end)`` (UTC epoch seconds) of one service."""

    start: I64
    end: I64
    planned: NDArray[np.bool_]

    @classmethod
    def of(cls, spans: list[tuple[int, int, bool]]) -> Outages:
        s = np.array([x[0] for x in spans], dtype=np.int64)
        e = np.array([x[1] for x in spans], dtype=np.int64)
        return cls(s, e, np.array([x[2] for x in spans], dtype=bool))


@dataclass(frozen=True)
class Availability:
    """Figures for one service and window ``[start, end)`` (evaluated up to ``as_of``)."""

    agreed: int  # working seconds the service was due to be up, maintenance excluded
    downtime: int
    outages: int
    availability: float | None
    objective: float | None
    objective_met: bool | None
    mttr: float | None  # mean working seconds to restore
    mtbf: float | None  # mean working seconds up between failures
    error_budget: float | None  # allowed downtime for the whole window
    budget_left: float | None
    burn_rate: float | None  # 1.0 spends the budget exactly by the window's end


def availability(
    outages: Outages,
    calendar: Calendar,
    start: int,
    end: int,
    objective: float | None = None,
    as_of: int | None = None,
    maintenance: Outages | None = None,
) -> Availability:
    """Availability of one service over ``[start, end)``, counting up to ``as_of``."""
    stop = end if as_of is None else max(start, min(end, as_of))
    planned_s = outages.start[outages.planned]
    planned_e = outages.end[outages.planned]
    if maintenance is not None:
        planned_s = np.concatenate((planned_s, maintenance.start))
        planned_e = np.concatenate((planned_e, maintenance.end))
    maint_s, maint_e = union(planned_s, planned_e)
    down_s, down_e = union(outages.start[~outages.planned], outages.end[~outages.planned])
    n_blocks = down_s.size
    down_s, down_e, block = subtract(down_s, down_e, maint_s, maint_e)
    full = _agreed(calendar, start, end, maint_s, maint_e)
    agreed = _agreed(calendar, start, stop, maint_s, maint_e)
    costs = calendar.elapsed(np.clip(down_s, start, stop), np.clip(down_e, start, stop))
    downtime = int(costs.sum())
    per_outage = np.bincount(block, weights=costs, minlength=n_blocks)
    count = int((per_outage > 0).sum())
    return _figures(agreed, full, downtime, count, objective)


def _agreed(calendar: Calendar, start: int, stop: int, maint_s: I64, maint_e: I64) -> int:
    whole = int(calendar.elapsed([start], [stop])[0])
    cut = calendar.elapsed(np.clip(maint_s, start, stop), np.clip(maint_e, start, stop))
    return whole - int(cut.sum())


def _figures(
    agreed: int, full: int, downtime: int, count: int, objective: float | None
) -> Availability:
    avail = (agreed - downtime) / agreed if agreed else None
    budget = (1 - objective) * full if objective is not None else None
    spent_rate = downtime / agreed if agreed else None
    burn = None
    if objective is not None and spent_rate is not None and objective < 1:
        burn = spent_rate / (1 - objective)
    return Availability(
        agreed=agreed,
        downtime=downtime,
        outages=count,
        availability=avail,
        objective=objective,
        objective_met=None if avail is None or objective is None else avail >= objective,
        mttr=downtime / count if count else None,
        mtbf=(agreed - downtime) / count if count else None,
        error_budget=budget,
        budget_left=None if budget is None else budget - downtime,
        burn_rate=burn,
    )


def burn_rate(
    outages: Outages, calendar: Calendar, window_end: int, window: int, objective: float
) -> float | None:
    """Burn rate over the ``window`` seconds before ``window_end`` (fast/slow burn alerts)."""
    figures = availability(outages, calendar, window_end - window, window_end, objective)
    return figures.burn_rate
