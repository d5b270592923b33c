"""Comparing what a customer asks for with what the catalog offers (SLM2 analysis).

A requested promise ("P1 resolved within 2h, 95 % of the time") is *within* an offered option
when the option promises at least as much: a budget no longer than the one asked for and an
objective no lower. The answer names the least demanding option that meets the request — the
cheapest way to say yes — or, when none does, how far the request goes beyond the most
demanding option: how much less time and how much higher an objective it asks for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from servicelevel.engine.durations import Duration


@dataclass(frozen=True)
class Promise:
    """``metric``: response, resolution or availability; ``priority`` empty means all."""

    metric: str
    objective: float
    priority: str = ""
    within: Duration | None = None


@dataclass(frozen=True)
class Option:
    code: str
    promises: tuple[Promise, ...]


@dataclass(frozen=True)
class Verdict:
    """``outcome``: within (``option`` meets it), exceeds (beyond every option: see the gaps
    against ``option``, the closest), not_offered (no option promises this metric for this
    priority) or incomparable (budgets in hours against business days)."""

    outcome: str
    option: str | None = None
    time_short: int | None = None  # seconds the request asks less than the option allows
    business_days_short: int | None = None
    objective_gap: float | None = None  # how much higher the requested objective is


def _matching(option: Option, wanted: Promise) -> Promise | None:
    """The option's promise for the same metric: one for the same priority, else for all."""
    same = [p for p in option.promises if p.metric == wanted.metric]
    exact = [p for p in same if p.priority.casefold() == wanted.priority.casefold()]
    general = [p for p in same if not p.priority]
    found = exact or general
    return found[0] if found else None


def _budget_gap(wanted: Duration | None, offered: Duration | None) -> tuple[int, int] | None:
    """(seconds, business days) the request is shorter by; None when they cannot compare."""
    if wanted is None or offered is None:
        return 0, 0
    if wanted.is_business_days != offered.is_business_days:
        return None
    if wanted.is_business_days:
        return 0, max(0, (offered.business_days or 0) - (wanted.business_days or 0))
    return max(0, offered.seconds - wanted.seconds), 0


def compare(wanted: Promise, options: Sequence[Option]) -> Verdict:
    """The verdict for one requested promise against options ordered most demanding first."""
    candidates = [(o, p) for o in options if (p := _matching(o, wanted)) is not None]
    if not candidates:
        return Verdict("not_offered")
    comparable = [(o, p, g) for o, p in candidates if (g := _budget_gap(wanted.within, p.within))]
    if not comparable:
        return Verdict("incomparable", candidates[0][0].code)
    meeting = [
        o
        for o, p, (secs, days) in comparable
        if secs == 0 and days == 0 and p.objective >= wanted.objective
    ]
    if meeting:
        return Verdict("within", meeting[-1].code)  # the least demanding that still meets it
    best, promise, (secs, days) = comparable[0]
    gap = max(0.0, wanted.objective - promise.objective)
    return Verdict(
        "exceeds",
        best.code,
        time_short=secs
        if wanted.within is not None and not wanted.within.is_business_days
        else None,
        business_days_short=days
        if wanted.within is not None and wanted.within.is_business_days
        else None,
        objective_gap=gap,
    )
