"""Targets: which tickets a target covers, its clock, budget, calendar, objective and warnings.

"95 % of P2 incidents resolved within 8 business hours" is one target: a selector (priority P2),
a clock (resolution), a budget (8 h) on a calendar (business hours) and an objective (95 %).
Targets of the same clock are tried in order and a ticket takes the first whose selector
matches it, so a catch-all target can follow the specific ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from servicelevel.engine.calendars import I64
from servicelevel.engine.durations import Duration
from servicelevel.engine.timelines import I32, Timelines


@dataclass(frozen=True)
class Categorical:
    """A per-ticket attribute as integer codes into ``values`` (``-1``: not given)."""

    codes: I32
    values: tuple[str, ...]

    @classmethod
    def from_strings(cls, items: Sequence[str | None] | NDArray[np.str_]) -> Categorical:
        """Values numbered in the order they are first seen; ``None`` and ``""`` are not given
        (``-1``). One NumPy pass, so a report's hundred thousand tickets take milliseconds."""
        labels = (
            items
            if isinstance(items, np.ndarray)
            else np.array(["" if s is None else s for s in items], dtype=object)
        )
        found, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
        seen = [i for i in np.argsort(first, kind="stable").tolist() if found[i] != ""]
        code_of = np.full(found.size, -1, dtype=np.int32)
        code_of[seen] = np.arange(len(seen), dtype=np.int32)
        return cls(code_of[inverse.reshape(-1)], tuple(str(found[i]) for i in seen))

    def isin(self, wanted: frozenset[str]) -> NDArray[np.bool_]:
        folded = {w.casefold() for w in wanted}
        table = np.array([v.casefold() in folded for v in self.values] + [False], dtype=bool)
        codes = np.flatnonzero(table)
        if codes.size == 1:  # one value (the usual case): a comparison, 7× faster than a gather
            same: NDArray[np.bool_] = self.codes == codes[0]
            return same
        return table[self.codes]

    def label(self, i: int) -> str:
        code = int(self.codes[i])
        return "" if code < 0 else self.values[code]


@dataclass(frozen=True)
class TicketSet:
    """Tickets: identifiers, event timelines and attributes (priority, category, service…)."""

    ids: tuple[str, ...] | NDArray[np.str_]  # an array keeps a million identifiers cheap
    timelines: Timelines
    attributes: Mapping[str, Categorical] = field(default_factory=dict)
    # per event (in the timelines' order): the team holding the ticket after it, when the
    # source says (see :mod:`servicelevel.engine.holding`)
    holders: Categorical | None = None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True)
class Selector:
    """Attribute conditions that must all hold; each names the values accepted."""

    conditions: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def mask(self, tickets: TicketSet) -> NDArray[np.bool_]:
        out = np.ones(len(tickets), dtype=bool)
        for attribute, accepted in self.conditions.items():
            column = tickets.attributes.get(attribute)
            if column is None:
                return np.zeros(len(tickets), dtype=bool)
            out &= column.isin(accepted)
        return out

    def describe(self) -> str:
        parts = [f"{k}={'|'.join(sorted(v))}" for k, v in self.conditions.items()]
        return ", ".join(parts) or "all tickets"


@dataclass(frozen=True)
class Target:
    """One measurable promise about tickets."""

    id: str
    clock: str
    budget: Duration
    calendar: str
    selector: Selector = field(default_factory=Selector)
    objective: float | None = None
    warnings: tuple[float, ...] = ()
    name: str = ""
    held_by: str = ""  # a team: the clock runs only while it holds the ticket (an OLA's)

    def __post_init__(self) -> None:
        if self.objective is not None and not 0 <= self.objective <= 1:
            raise ValueError("an objective is a fraction between 0 and 1")
        if any(not 0 < w < 1 for w in self.warnings):
            raise ValueError("warning thresholds are fractions strictly between 0 and 1")


def assign(targets: Sequence[Target], tickets: TicketSet) -> dict[str, I64]:
    """For every target, the indices of the tickets it measures (first match per clock).

    A response and a resolution target usually select the same tickets on different clocks,
    after the same targets before them: they get the same index array, found and kept once
    (one object: readers must not change it; it is not marked read-only, because the compiled
    kernel would then be compiled a second time for read-only arrays)."""
    masks: dict[str, NDArray[np.bool_]] = {}  # per selector, the tickets it accepts
    before: dict[str, tuple[str, ...]] = {}  # per clock, the selectors that took tickets
    found: dict[tuple[tuple[str, ...], str], tuple[I64, NDArray[np.bool_]]] = {}
    free: dict[tuple[str, ...], NDArray[np.bool_]] = {(): np.ones(len(tickets), dtype=bool)}
    out: dict[str, I64] = {}
    for target in targets:
        key = repr(sorted((k, sorted(v)) for k, v in target.selector.conditions.items()))
        if key not in masks:
            masks[key] = target.selector.mask(tickets)
        history = before.get(target.clock, ())
        if (history, key) not in found:
            chosen = free[history] & masks[key]
            indices = np.flatnonzero(chosen).astype(np.int64, copy=False)
            found[history, key] = (indices, free[history] & ~chosen)
        indices, left = found[history, key]
        before[target.clock] = (*history, key)
        free.setdefault(before[target.clock], left)
        out[target.id] = indices
    return out
