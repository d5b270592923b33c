"""Target clocks: from ticket timelines to business time used, deadlines, breaches and warnings.

A :class:`ClockDefinition` says which states and events start, pause, stop and cancel a clock and
what a reopen does. Every event puts the clock in a *mode* (pending, running, paused, stopped,
cancelled) that lasts until the ticket's next event (or ``now``). Working time counts only
while running, through the calendar's cumulative function ``F``, so the whole evaluation is a few
NumPy passes over all events of all tickets at once:

* ``used`` is the sum of ``F(next) - F(at)`` over running events;
* the instant the clock crosses a budget ``B`` lies in the first running span whose running total
  exceeds ``B``, at ``F⁻¹(F(span start) + B - used before it)`` — the same formula gives the
  deadline, the breach instant and every warning threshold, past or (for a running clock) ahead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

from servicelevel.engine.business_time import Calendar, position
from servicelevel.engine.calendars import I64
from servicelevel.engine.timelines import Timelines, group_any_so_far, group_cumsum

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


@dataclass(frozen=True)
class Measurements:
    """Per ticket (in the order of the timelines given) for one target; instants or ``NONE``.

    ``crossed[:, j]`` says whether warning threshold ``j`` was crossed by ``now`` and
    ``crossing_at[:, j]`` when it was or, for a running clock, when it will be.
    """

    status: NDArray[np.int8]
    budget: I64
    used: I64
    paused: I64
    started_at: I64
    stopped_at: I64
    deadline: I64
    breached_at: I64
    thresholds: tuple[float, ...] = ()
    crossed: NDArray[np.bool_] = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))
    crossing_at: I64 = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))
    modes: NDArray[np.int8] | None = None  # per event, when asked for (the clock's explanation)

    def __len__(self) -> int:
        return int(self.status.size)


def event_modes(tl: Timelines, clock: ClockDefinition) -> NDArray[np.int8]:
    """The clock's mode after every event (vectorised state machine)."""
    if clock.start_events or clock.start_states:
        starts = (
            tl.event_codes(clock.start_events)[tl.event]
            | tl.state_codes(clock.start_states)[tl.state]
        )
    else:
        starts = np.zeros(tl.at.size, dtype=bool)
        starts[tl.first[tl.counts > 0]] = True
    started = group_any_so_far(starts, tl)
    final_stop = group_any_so_far(started & tl.event_codes(clock.stop_events)[tl.event], tl)
    mode = np.full(tl.at.size, Mode.RUNNING, dtype=np.int8)
    mode[tl.state_codes(clock.pause_states)[tl.state]] = Mode.PAUSED
    mode[tl.state_codes(clock.stop_states)[tl.state] | final_stop] = Mode.STOPPED
    mode[tl.state_codes(clock.cancel_states)[tl.state]] = Mode.CANCELLED
    mode[~started] = Mode.PENDING
    return mode


def _generation_mask(
    tl: Timelines, mode: NDArray[np.int8], clock: ClockDefinition
) -> NDArray[np.bool_]:
    """Events that count: all of them, or under ``restart`` those since the last reopen."""
    if clock.reopen == "continue" or not tl.at.size:
        return np.ones(tl.at.size, dtype=bool)
    prev_stopped = np.zeros(tl.at.size, dtype=bool)
    prev_stopped[1:] = mode[:-1] == Mode.STOPPED
    prev_stopped[tl.first[tl.counts > 0]] = False
    live = (mode == Mode.RUNNING) | (mode == Mode.PAUSED)
    generation = group_cumsum((prev_stopped & live).astype(np.int64), tl)
    last = tl.offsets[1:] - 1
    current = np.zeros(tl.n_tickets, dtype=np.int64)
    has = tl.counts > 0
    current[has] = generation[last[has]]
    same: NDArray[np.bool_] = generation == current[tl.ticket]
    return same


@dataclass(frozen=True)
class _Spans:
    """The running spans of all tickets (one per running event), grouped by ticket."""

    ticket: I64  # owner of each span
    start_pos: I64  # F at the span's start
    length: I64  # working seconds in the span
    offsets: I64  # CSR over tickets
    used_before: I64  # working seconds used by earlier spans of the same ticket

    @classmethod
    def build(cls, ticket: I64, start_pos: I64, length: I64, n: int) -> _Spans:
        counts = np.bincount(ticket, minlength=n)
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        total = np.cumsum(length)
        base = np.concatenate(([0], total))[offsets[:-1]]
        used_before = total - length - base[ticket]
        return cls(ticket, start_pos, length, offsets, used_before)

    def crossing_positions(self, budget: I64, used: I64, end_pos: I64) -> I64:
        """F at which each ticket's clock exceeds ``budget`` (or would, running on from
        ``end_pos`` — the position where its last running span ended)."""
        within = (self.used_before + self.length) <= budget[self.ticket]
        n_within = np.bincount(self.ticket, weights=within, minlength=budget.size).astype(np.int64)
        crossed = n_within < np.diff(self.offsets)
        k = (self.offsets[:-1] + n_within)[crossed]
        pos = end_pos + (budget - used)
        pos[crossed] = self.start_pos[k] + budget[crossed] - self.used_before[k]
        return pos


def run_clock(
    tl: Timelines,
    clock: ClockDefinition,
    calendar: Calendar,
    budget: I64,
    now: int,
    thresholds: tuple[float, ...] = (),
    explain: bool = False,
) -> Measurements:
    """Evaluate one clock over every ticket of ``tl`` as of ``now``.

    ``budget`` holds each ticket's allowed working seconds (tickets of one target usually share
    one value; business-day targets differ per ticket). Events after ``now`` are ignored.
    """
    tl = tl.until(now)
    n = tl.n_tickets
    budget = np.broadcast_to(np.asarray(budget, dtype=np.int64), (n,)).copy()
    mode = event_modes(tl, clock)
    counts = _generation_mask(tl, mode, clock)
    c = calendar.covering(tl.at, np.array([now], dtype=np.int64))
    pos_at = position(c, tl.at)
    pos_now = int(position(c, np.array([now], dtype=np.int64))[0])
    pos_next = np.empty_like(pos_at)
    pos_next[:-1] = pos_at[1:]
    last = tl.offsets[1:] - 1
    has = tl.counts > 0
    pos_next[last[has]] = pos_now
    length = pos_next - pos_at

    running = counts & (mode == Mode.RUNNING)
    paused = counts & (mode == Mode.PAUSED)
    used = np.bincount(tl.ticket[running], weights=length[running], minlength=n).astype(np.int64)
    paused_time = np.bincount(tl.ticket[paused], weights=length[paused], minlength=n).astype(
        np.int64
    )
    final_mode = np.full(n, Mode.PENDING, dtype=np.int8)
    final_mode[has] = mode[last[has]]

    spans = _Spans.build(tl.ticket[running], pos_at[running], length[running], n)
    end_pos = _clock_end_positions(tl, counts, mode, pos_at, pos_next, running, n)
    started_at = _first_instant(tl, counts & (mode != Mode.PENDING), n)
    stopped_at = np.where(final_mode == Mode.STOPPED, _stop_instants(tl, mode, n), NONE)

    def crossing(b: I64) -> tuple[NDArray[np.bool_], I64]:
        pos = spans.crossing_positions(b, used, end_pos)
        over = used > b
        known = over | (final_mode == Mode.RUNNING) | (final_mode == Mode.STOPPED)
        instants = np.full(n, NONE, dtype=np.int64)
        if known.any():
            instants[known] = calendar.at_position(c, pos[known])
        return over, instants

    over, deadline = crossing(budget)
    status = _status(final_mode, over)
    crossed = np.zeros((n, len(thresholds)), dtype=bool)
    crossing_at = np.full((n, len(thresholds)), NONE, dtype=np.int64)
    for j, fraction in enumerate(thresholds):
        crossed[:, j], crossing_at[:, j] = crossing((budget * fraction).astype(np.int64))
    return Measurements(
        status=status,
        budget=budget,
        used=used,
        paused=paused_time,
        started_at=started_at,
        stopped_at=stopped_at,
        deadline=np.where(final_mode == Mode.PENDING, NONE, deadline),
        breached_at=np.where(over, deadline, NONE),
        thresholds=tuple(thresholds),
        crossed=crossed,
        crossing_at=crossing_at,
        modes=mode if explain else None,
    )


def _clock_end_positions(
    tl: Timelines,
    counts: NDArray[np.bool_],
    mode: NDArray[np.int8],
    pos_at: I64,
    pos_next: I64,
    running: NDArray[np.bool_],
    n: int,
) -> I64:
    """F where each ticket's clock last stopped running (its start if it never ran)."""
    end = np.zeros(n, dtype=np.int64)
    started = counts & (mode != Mode.PENDING)
    idx = np.flatnonzero(started)
    first_started = np.full(n, -1, dtype=np.int64)
    first_started[tl.ticket[idx[::-1]]] = idx[::-1]
    ok = first_started >= 0
    end[ok] = pos_at[first_started[ok]]
    run_idx = np.flatnonzero(running)
    end[tl.ticket[run_idx]] = pos_next[run_idx]  # later spans overwrite earlier ones
    return end


def _first_instant(tl: Timelines, flag: NDArray[np.bool_], n: int) -> I64:
    idx = np.flatnonzero(flag)[::-1]
    out = np.full(n, NONE, dtype=np.int64)
    out[tl.ticket[idx]] = tl.at[idx]
    return out


def _stop_instants(tl: Timelines, mode: NDArray[np.int8], n: int) -> I64:
    """When the final stopped spell began (the last event entering a stop)."""
    entering = mode == Mode.STOPPED
    entering[1:] &= mode[:-1] != Mode.STOPPED
    entering[tl.first[tl.counts > 0]] = mode[tl.first[tl.counts > 0]] == Mode.STOPPED
    idx = np.flatnonzero(entering)
    out = np.full(n, NONE, dtype=np.int64)
    out[tl.ticket[idx]] = tl.at[idx]  # later entries overwrite earlier ones
    return out


def _status(final_mode: NDArray[np.int8], over: NDArray[np.bool_]) -> NDArray[np.int8]:
    status = np.full(final_mode.size, Status.PENDING, dtype=np.int8)
    status[final_mode == Mode.RUNNING] = Status.RUNNING
    status[final_mode == Mode.PAUSED] = Status.PAUSED
    status[final_mode == Mode.STOPPED] = Status.MET
    live_or_done = np.isin(final_mode, (Mode.RUNNING, Mode.PAUSED, Mode.STOPPED))
    status[live_or_done & over] = Status.BREACHED
    status[final_mode == Mode.CANCELLED] = Status.CANCELLED
    return status
