"""Ticket timelines placed on one calendar, with the per-ticket group operations clocks need.

Everything here is shared by all clocks measured on the same tickets and calendar (a response
and a resolution target, say), so it is computed once. Group operations work on contiguous
event ranges through cumulative sums and maximum-accumulations read at each ticket's first
and last event — a few passes over the events, whatever the number of tickets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from servicelevel.engine.business_time import Calendar, position
from servicelevel.engine.calendars import I64, CompiledCalendar
from servicelevel.engine.timelines import Timelines

Flags = NDArray[np.bool_]
G = TypeVar("G", bound=np.generic)


@dataclass(frozen=True)
class Prepared:
    """Timelines as of ``now`` with the working-time position of every event.

    Per-ticket arrays here cover only the tickets that have events as of ``now`` (``has``).
    """

    tl: Timelines
    calendar: Calendar
    compiled: CompiledCalendar
    now: int
    has: Flags
    starts: I64  # first event of each ticket with events
    ends: I64  # one past its last event
    pos_at: I64  # F at every event
    length: I64  # working seconds from each event to its ticket's next event (or now)
    _cache: dict[str, I64] = field(default_factory=dict, compare=False, repr=False)

    @property
    def n(self) -> int:
        return self.tl.n_tickets

    @property
    def last(self) -> I64:
        return self.ends - 1

    @property
    def index(self) -> I64:
        """0..events-1, made once."""
        if "index" not in self._cache:
            self._cache["index"] = np.arange(self.tl.at.size, dtype=np.int64)
        return self._cache["index"]

    def totals(self, values: I64) -> tuple[I64, I64, I64]:
        """Running sum over all events, the sum before each ticket, and each ticket's sum."""
        running = np.cumsum(values, dtype=np.int64)
        before = np.zeros(self.starts.size, dtype=np.int64)
        nz = self.starts > 0
        before[nz] = running[self.starts[nz] - 1]
        return running, before, running[self.last] - before

    def _flag_counts(self, flag: Flags) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
        """Running count of ``flag`` over all events, and the count before each ticket."""
        counts = np.cumsum(flag, dtype=np.int32)
        before = np.zeros(self.starts.size, dtype=np.int32)
        nz = self.starts > 0
        before[nz] = counts[self.starts[nz] - 1]
        return counts, before

    def first_where(self, flag: Flags) -> I64:
        """Index of each ticket's first event where ``flag`` holds, or its end if none."""
        counts, before = self._flag_counts(flag)
        return search_within(counts, before, self.starts, self.ends)

    def last_where(self, flag: Flags) -> I64:
        """Index of each ticket's last event where ``flag`` holds, or -1."""
        counts, before = self._flag_counts(flag)
        total = counts[self.last] if self.starts.size else before
        j = search_within(counts, total - 1, self.starts, self.ends)
        return np.where(total > before, j, -1)

    def trailing_start(self, flag: Flags, rows: I64, within: I64 | None = None) -> I64:
        """For tickets ``rows`` whose last event has ``flag``, the first event of that
        trailing run. Walks backwards one event per step over the tickets still in their run:
        runs are short (a stop is usually the last event or two), so few events are read.
        ``within`` may name, per row, an event already known to lie inside the run."""
        j = (self.last[rows] if within is None else within).copy()
        active = np.arange(rows.size)
        floor = self.starts[rows]
        while active.size:
            prev = j[active] - 1
            go = prev >= floor[active]
            go[go] = flag[prev[go]]
            active = active[go]
            j[active] -= 1
        return j

    def sums(self, values: NDArray[np.generic]) -> I64:
        """Each ticket's sum of ``values`` over its events."""
        if not self.starts.size:
            return np.zeros(0, dtype=np.int64)
        return np.add.reduceat(values, self.starts, dtype=np.int64)

    def any_so_far(self, flag: Flags) -> Flags:
        """For every event: did ``flag`` hold at this or an earlier event of its ticket?"""
        first = self.first_where(flag)
        out: Flags = self.index >= np.repeat(first, self.ends - self.starts)
        return out

    def spread(self, values: NDArray[G], empty: object) -> NDArray[G]:
        """Per-ticket values of tickets with events, spread over all tickets (rows or vectors)."""
        if values.shape[0] == self.n:
            return values
        out = np.full((self.n, *values.shape[1:]), empty, dtype=values.dtype)
        out[self.has] = values
        return out


def prepare(tl: Timelines, calendar: Calendar, now: int) -> Prepared:
    """Cut the timelines at ``now`` and place every event on the calendar."""
    if tl.at.size and int(tl.at.max()) > now:
        tl = tl.until(now)
    counts = tl.counts
    has = counts > 0
    starts, ends = tl.offsets[:-1][has], tl.offsets[1:][has]
    now_arr = np.array([now], dtype=np.int64)
    c = calendar.covering(tl.at, now_arr)
    pos_at = position(c, tl.at)
    pos_next = np.empty_like(pos_at)
    pos_next[:-1] = pos_at[1:]
    pos_next[ends - 1] = position(c, now_arr)[0]
    return Prepared(tl, calendar, c, now, has, starts, ends, pos_at, pos_next - pos_at)


def search_within(
    values: NDArray[np.integer], keys: NDArray[np.integer], starts: I64, ends: I64
) -> I64:
    """For each range ``[start, end)``, the first index whose value exceeds its key (``end``
    if none). Walks forward one event per step over the ranges still searching: the answer
    is usually among a ticket's first few events, so this reads far fewer values than a
    binary search over all events would."""
    j = starts.copy()
    active = np.flatnonzero(j < ends)
    while active.size:
        at = j[active]
        go = values[at] <= keys[active]
        active = active[go]
        j[active] += 1
        active = active[j[active] < ends[active]]
    return j
