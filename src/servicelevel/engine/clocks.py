"""Target clocks: from ticket timelines to business time used, deadlines, breaches and warnings.

A :class:`ClockDefinition` says which states and events start, pause, stop and cancel a clock and
what a reopen does. Every event puts the clock in a *mode* (pending, running, paused, stopped,
cancelled) that lasts until the ticket's next event (or ``now``). Working time counts only
while running, through the calendar's cumulative function ``F``:

* ``used`` is the sum of ``F(next) - F(at)`` over running events;
* the instant the clock crosses a budget ``B`` lies in the first running span whose running total
  exceeds ``B``, at ``F⁻¹(F(span start) + B - used before it)`` — the same formula gives the
  deadline, the breach instant and every warning threshold, past or (for a running clock) ahead.

The walk itself is compiled (:mod:`servicelevel.engine.clock_kernel`; small work runs the same
source interpreted, see :mod:`servicelevel.engine.kernels`): each ticket's events are read once
for all the clocks measuring it. A :class:`ClockBatch` holds those clocks' tables and
results and runs the kernel over chunks of tickets, on whichever threads the caller chooses.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from types import ModuleType

import numpy as np
from numpy.typing import NDArray

from servicelevel.engine import kernels
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import I64, CompiledCalendar
from servicelevel.engine.durations import LONGEST
from servicelevel.engine.timelines import Timelines

NONE = -1  # an instant that does not exist (no deadline, never crossed…)


class Mode(IntEnum):
    """What the clock does after an event."""

    PENDING = 0
    RUNNING = 1
    PAUSED = 2
    STOPPED = 3
    CANCELLED = 4


class Status(IntEnum):
    """A measurement's status as of ``now``."""

    PENDING = 0
    RUNNING = 1
    PAUSED = 2
    MET = 3
    BREACHED = 4
    CANCELLED = 5

    @property
    def label(self) -> str:
        return self.name.lower()


REOPEN_POLICIES = ("continue", "restart")


@dataclass(frozen=True)
class ClockDefinition:
    """When a target's clock runs.

    * starts at the first event named in ``start_events`` or entering a ``start_states`` state;
      with neither given, at the ticket's first event (its creation);
    * pauses while the state is in ``pause_states``;
    * stops while the state is in ``stop_states`` (a reopen leaves them and the clock runs
      again) and for good at the first event in ``stop_events`` (e.g. the first response);
    * is cancelled while the state is in ``cancel_states``;
    * on reopen, ``continue`` keeps the time already used, ``restart`` starts again from zero.
    """

    start_events: frozenset[str] = frozenset()
    start_states: frozenset[str] = frozenset()
    pause_states: frozenset[str] = frozenset()
    stop_states: frozenset[str] = frozenset()
    stop_events: frozenset[str] = frozenset()
    cancel_states: frozenset[str] = frozenset()
    reopen: str = "continue"

    def __post_init__(self) -> None:
        if self.reopen not in REOPEN_POLICIES:
            raise ValueError(f"reopen must be one of {', '.join(REOPEN_POLICIES)}")
        if not (self.stop_states or self.stop_events):
            raise ValueError("a clock needs at least one stop state or stop event")


I32 = NDArray[np.int32]


def durations(seconds: NDArray[np.integer] | list[int]) -> I32:
    """Seconds as the measurements keep them: 32 bits, saturating at
    :data:`~servicelevel.engine.durations.LONGEST`."""
    values = np.asarray(seconds, dtype=np.int64)
    return np.minimum(values, LONGEST).astype(np.int32)


@dataclass(frozen=True)
class Measurements:
    """Per ticket (in the order of the timelines given) for one target; instants or ``NONE``.

    ``crossing_at[:, j]`` says when warning threshold ``j`` was crossed or, for a running
    clock, when it will be. Times used and paused are 32-bit seconds: a million tickets' two
    clocks keep 57 bytes each, not 76. Whether the budget or a warning threshold was crossed
    follows from the time used (:attr:`breached_at`, :attr:`crossed`), so it is not kept.
    """

    status: NDArray[np.int8]
    budget: I64
    used: I32
    paused: I32
    started_at: I64
    stopped_at: I64
    deadline: I64
    thresholds: tuple[float, ...] = ()
    crossing_at: I64 = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    modes: NDArray[np.int8] | None = None  # per event, when asked for (the clock's explanation)

    def __len__(self) -> int:
        return int(self.status.size)

    @property
    def breached_at(self) -> I64:
        """When each clock used up its budget (its deadline), or ``NONE``: a clock over budget,
        running, stopped or cancelled after it, or stored as breached (a running clock whose
        deadline passed after it was stored)."""
        over = (self.used > self.budget) | (self.status == int(Status.BREACHED))
        return np.where(over, self.deadline, NONE)

    @property
    def crossed(self) -> NDArray[np.bool_]:
        """``crossed[:, j]``: whether warning threshold ``j`` was crossed by ``now`` — more
        time used than that fraction of the budget (whole seconds, rounded down)."""
        limits = self.budget[:, None].astype(np.float64) * np.array(self.thresholds)
        crossed: NDArray[np.bool_] = self.used[:, None] > limits.astype(np.int64)
        return crossed


@dataclass(frozen=True)
class ClockRun:
    """One clock to measure over a batch's tickets: per ticket its budget in working seconds,
    and the warning thresholds (fractions of the budget)."""

    clock: ClockDefinition
    budget: I64
    thresholds: tuple[float, ...] = ()


def _tables(tl: Timelines, clocks: Sequence[ClockDefinition]) -> dict[str, np.ndarray]:
    """Per clock: the mode each state puts it in (before start and stop events are
    considered), which states and events start it, which events stop it for good."""
    k, n_states, n_events = len(clocks), len(tl.states), len(tl.events) + 1
    out = {
        "state_mode": np.full((k, n_states), Mode.RUNNING, dtype=np.int8),
        "start_state": np.zeros((k, n_states), dtype=np.bool_),
        "start_event": np.zeros((k, n_events), dtype=np.bool_),
        "stop_event": np.zeros((k, n_events), dtype=np.bool_),
        "flags": np.zeros((k, 3), dtype=np.bool_),
    }
    for i, clock in enumerate(clocks):
        modes = out["state_mode"][i]
        modes[tl.state_codes(clock.pause_states)] = Mode.PAUSED
        modes[tl.state_codes(clock.stop_states)] = Mode.STOPPED
        modes[tl.state_codes(clock.cancel_states)] = Mode.CANCELLED
        out["start_state"][i] = tl.state_codes(clock.start_states)
        out["start_event"][i] = tl.event_codes(clock.start_events)
        out["stop_event"][i] = tl.event_codes(clock.stop_events)
        has_start = bool(clock.start_events or clock.start_states)
        out["flags"][i] = (has_start, bool(clock.stop_events), clock.reopen == "restart")
    return out


class ClockBatch:
    """Clocks measured over the same tickets (``rows`` of ``tl``) on the same calendar, such as
    a response and a resolution target: the tickets' events are read once for all of them.

    :meth:`run` measures a slice of the tickets and may be called from several threads at once
    for disjoint slices (the kernel releases the interpreter lock); :meth:`results` then gives
    one :class:`Measurements` per clock, in the order of ``rows``.
    """

    def __init__(
        self,
        tl: Timelines,
        rows: I64,
        calendar: Calendar,
        now: int,
        runs: Sequence[ClockRun],
        explain: bool = False,
        compiled: CompiledCalendar | None = None,
    ) -> None:
        self.tl, self.rows, self.calendar, self.now, self.runs = tl, rows, calendar, now, runs
        self.events = (
            np.ascontiguousarray(tl.offsets, dtype=np.int64),
            np.ascontiguousarray(tl.at, dtype=np.int64),
            np.ascontiguousarray(tl.state, dtype=np.int32),
            np.ascontiguousarray(tl.event, dtype=np.int32),
        )
        self._lock = threading.Lock()
        self._use(compiled or calendar.covering(_span(tl.at, now)))
        self.tables = _tables(tl, [r.clock for r in runs])
        k, n = len(runs), rows.size
        widest = max((len(r.thresholds) for r in runs), default=0)
        self.fractions = np.zeros((k, widest), dtype=np.float64)
        for i, r in enumerate(runs):
            self.fractions[i, : len(r.thresholds)] = r.thresholds
        self.n_fractions = np.array([len(r.thresholds) for r in runs], dtype=np.int64)
        # budgets shared by all tickets (the usual case) are read from one column
        shared = all(r.budget.ndim == 1 and r.budget.strides == (0,) for r in runs)
        self.budget = np.empty((k, 1 if shared and n else n), dtype=np.int64)
        for i, r in enumerate(runs):
            self.budget[i] = r.budget[: self.budget.shape[1]]
        self.status = np.empty((k, n), dtype=np.int8)
        self.spans = np.empty((2, k, n), dtype=np.int32)  # used, paused
        self.instants = np.empty((3, k, n), dtype=np.int64)  # started, stopped, deadline
        self.crossing_at = np.empty((k, n, widest), dtype=np.int64)
        self.modes = np.full((k, tl.at.size if explain else 0), -1, dtype=np.int8)

    def _use(self, c: CompiledCalendar) -> None:
        self.compiled = c
        index = c.opens_index()  # a bucket table: each ticket's first event in one read
        self.intervals = (
            c.opens,
            c.closes,
            c.cum,
            c.cum_end,
            index.table,
            index.low,
            index.high,
            index.shift,
        )

    def chunks(self, pieces: int) -> list[tuple[int, int]]:
        """``pieces`` slices of about equal size covering all tickets."""
        bounds = np.linspace(0, self.rows.size, max(1, pieces) + 1).astype(np.int64).tolist()
        return [(a, b) for a, b in itertools.pairwise(bounds) if b > a]

    @property
    def measurements(self) -> int:
        """How many clock-ticket pairs the batch measures (what chooses the kernel)."""
        return len(self.runs) * int(self.rows.size)

    def run(self, lo: int, hi: int, kernel: ModuleType | None = None) -> None:
        """Measure the tickets ``rows[lo:hi]`` with ``kernel`` (by default the one
        :func:`kernels.choose` gives for the batch), compiling the calendar further ahead first
        when a deadline lies beyond it."""
        kernel = kernel or kernels.choose(self.measurements)
        while True:
            c = self.compiled
            beyond = kernel.run_chunk(
                lo,
                hi,
                self.rows,
                self.events,
                self.now,
                self.intervals,
                tuple(self.tables.values()),
                self.budget,
                self.fractions,
                self.n_fractions,
                (self.status, *self.spans, *self.instants),
                self.crossing_at,
                self.modes,
            )
            if beyond < 0:
                return
            with self._lock:
                if self.compiled is c:  # no other chunk has compiled further yet
                    self.calendar.at_position(c, np.array([beyond], dtype=np.int64))
                    self._use(self.calendar.covering(_span(self.tl.at, self.now)))

    def results(self) -> list[Measurements]:
        kept = None
        if self.modes.shape[1]:
            kept = _event_rows(self.tl, self.rows)
            kept = kept[self.tl.at[kept] <= self.now]
        out = []
        for k, r in enumerate(self.runs):
            width = len(r.thresholds)
            out.append(
                Measurements(
                    status=self.status[k],
                    budget=np.broadcast_to(self.budget[k], (self.rows.size,)),
                    used=self.spans[0, k],
                    paused=self.spans[1, k],
                    started_at=self.instants[0, k],
                    stopped_at=self.instants[1, k],
                    deadline=self.instants[2, k],
                    thresholds=tuple(r.thresholds),
                    crossing_at=np.ascontiguousarray(self.crossing_at[k, :, :width]),
                    modes=None if kept is None else self.modes[k][kept],
                )
            )
        return out


def _span(at: I64, now: int) -> I64:
    """The instants a calendar must cover for events up to ``now``."""
    first = min(int(at.min()), now) if at.size else now
    return np.array([first, now], dtype=np.int64)


def _event_rows(tl: Timelines, rows: I64) -> I64:
    """The indices of the events of tickets ``rows``, ticket after ticket."""
    counts = tl.counts[rows]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return np.repeat(tl.offsets[rows] - starts, counts) + np.arange(int(counts.sum()))


def run_clock(
    tl: Timelines,
    clock: ClockDefinition,
    calendar: Calendar,
    budget: I64 | int,
    now: int,
    thresholds: tuple[float, ...] = (),
    explain: bool = False,
) -> Measurements:
    """Evaluate one clock over every ticket of ``tl`` as of ``now``.

    ``budget`` holds each ticket's allowed working seconds (tickets of one target usually share
    one value; business-day targets differ per ticket). Events after ``now`` are ignored.
    """
    n = tl.n_tickets
    budgets = np.broadcast_to(np.asarray(budget, dtype=np.int64), (n,))
    rows = np.arange(n, dtype=np.int64)
    batch = ClockBatch(tl, rows, calendar, now, [ClockRun(clock, budgets, thresholds)], explain)
    batch.run(0, n)
    return batch.results()[0]
