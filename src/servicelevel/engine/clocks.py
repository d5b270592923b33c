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

from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import I64
from servicelevel.engine.prepared import Flags, Prepared, prepare, search_within
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


def concat(parts: list[Measurements]) -> Measurements:
    """Measurements of consecutive ticket chunks as one."""
    if len(parts) == 1:
        return parts[0]
    first = parts[0]
    joined: dict[str, object] = {"thresholds": first.thresholds}
    for name in (
        "status",
        "budget",
        "used",
        "paused",
        "started_at",
        "stopped_at",
        "deadline",
        "breached_at",
        "crossed",
        "crossing_at",
    ):
        joined[name] = np.concatenate([getattr(p, name) for p in parts])
    modes = [p.modes for p in parts]
    joined["modes"] = None if any(m is None for m in modes) else np.concatenate(modes)  # type: ignore[arg-type]
    return Measurements(**joined)  # type: ignore[arg-type]


def _state_modes(tl: Timelines, clock: ClockDefinition) -> NDArray[np.int8]:
    """The mode each state puts the clock in, before start and stop events are considered."""
    table = np.full(len(tl.states), Mode.RUNNING, dtype=np.int8)
    table[tl.state_codes(clock.pause_states)] = Mode.PAUSED
    table[tl.state_codes(clock.stop_states)] = Mode.STOPPED
    table[tl.state_codes(clock.cancel_states)] = Mode.CANCELLED
    return table


def event_modes(p: Prepared, clock: ClockDefinition) -> NDArray[np.int8]:
    """The clock's mode after every event (a vectorised state machine)."""
    return _event_modes(p, clock)[0]


def _event_modes(p: Prepared, clock: ClockDefinition) -> tuple[NDArray[np.int8], I64 | None]:
    """Modes, and each ticket's first final-stop event (its end if none) for stop events."""
    tl = p.tl
    mode = _state_modes(tl, clock)[tl.state]
    has_start = bool(clock.start_events or clock.start_states)
    started = _started(p, clock) if has_start else None
    if clock.stop_events:
        stop_event = tl.event_codes(clock.stop_events)[tl.event]
        if started is not None:
            stop_event &= started
        first_stop = p.first_where(stop_event)
        final = p.index >= np.repeat(first_stop, p.ends - p.starts)
        final &= mode != Mode.CANCELLED
        mode[final] = Mode.STOPPED
    else:
        first_stop = None
    if started is not None:
        mode[~started] = Mode.PENDING
    return mode, first_stop


def _started(p: Prepared, clock: ClockDefinition) -> Flags:
    tl = p.tl
    starts = tl.event_codes(clock.start_events)[tl.event]
    starts |= tl.state_codes(clock.start_states)[tl.state]
    return p.any_so_far(starts)


def _current_generation(p: Prepared, mode: NDArray[np.int8]) -> Flags:
    """Under ``restart``: the events since each ticket's last reopen (a stop left for a
    running or paused state)."""
    reopen = np.zeros(mode.size, dtype=bool)
    if mode.size:
        live = (mode[1:] == Mode.RUNNING) | (mode[1:] == Mode.PAUSED)
        reopen[1:] = (mode[:-1] == Mode.STOPPED) & live
        reopen[p.starts] = False
    latest = np.maximum(p.last_where(reopen), p.starts)
    counted: Flags = p.index >= np.repeat(latest, p.ends - p.starts)
    return counted


@dataclass(frozen=True)
class _Clock:
    """One clock's running time over prepared timelines (tickets with events only)."""

    p: Prepared
    run_len: I64  # working seconds counted after each event
    running_total: I64  # cumulative run_len over all events
    before: I64  # running_total before each ticket
    used: I64
    end_pos: I64  # F where the clock last stopped running (or started, if it never ran)

    def crossing_positions(self, budget: I64) -> tuple[Flags, I64]:
        """Whether each clock used more than ``budget`` and the F at which it did — or, if
        not, at which it would, running on from where it last ran."""
        over = self.used > budget
        pos = self.end_pos + budget - self.used
        sel = np.flatnonzero(over)
        if sel.size:
            p = self.p
            k = search_within(
                self.running_total, self.before[sel] + budget[sel], p.starts[sel], p.ends[sel]
            )
            used_before = self.running_total[k] - self.run_len[k] - self.before[sel]
            pos[sel] = p.pos_at[k] + budget[sel] - used_before
        return over, pos


def _measure(
    p: Prepared, clock: ClockDefinition, mode: NDArray[np.int8], first_stop: I64 | None
) -> tuple[_Clock, dict[str, I64]]:
    """Used and paused time, start and stop instants of every ticket's clock.

    The position a clock "last ran to" (from which a deadline is projected when the clock is
    not over budget) is ``now`` for a running clock and the stop instant for a stopped one:
    a met clock's deadline is the one it would have had running on from its stop.
    """
    tl = p.tl
    run_len = np.where(mode == Mode.RUNNING, p.length, 0)
    running_total, before, used = p.totals(run_len)
    if clock.pause_states:
        paused = p.sums(np.where(mode == Mode.PAUSED, p.length, 0))
    else:
        paused = np.zeros(p.starts.size, dtype=np.int64)
    last = p.last
    if clock.start_events or clock.start_states or clock.reopen == "restart":
        first_live = p.ends - p.sums(mode != Mode.PENDING)
    else:
        first_live = p.starts  # the clock runs from each ticket's first event
    first_safe = np.minimum(first_live, last)
    final = mode[last]
    end_pos = p.pos_at[last] + p.length[last]  # a running clock ran until now
    stopped_at = np.full(final.size, NONE, dtype=np.int64)
    stopped = np.flatnonzero(final == Mode.STOPPED)
    if stopped.size:
        inside = None
        if first_stop is not None and not (mode == Mode.CANCELLED).any():
            # after the first stop event every event is stopped: the run reaches back to it
            inside = np.minimum(first_stop[stopped], p.last[stopped])
        entered = p.trailing_start(mode == Mode.STOPPED, stopped, inside)
        stopped_at[stopped] = tl.at[entered]
        end_pos[stopped] = p.pos_at[entered]
    times = {
        "used": used,
        "paused": paused,
        "started_at": np.where(first_live < p.ends, tl.at[first_safe], NONE),
        "stopped_at": stopped_at,
    }
    return _Clock(p, run_len, running_total, before, used, end_pos), times


def run_prepared(
    p: Prepared,
    clock: ClockDefinition,
    budget: I64 | int,
    thresholds: tuple[float, ...] = (),
    explain: bool = False,
) -> Measurements:
    """Evaluate one clock over prepared timelines (see :func:`run_clock`)."""
    budget_all = np.broadcast_to(np.asarray(budget, dtype=np.int64), (p.n,))
    b = budget_all[p.has]
    modes, first_stop = _event_modes(p, clock)
    mode = modes
    if clock.reopen == "restart":
        mode = np.where(_current_generation(p, modes), modes, np.int8(Mode.PENDING))
    run, times = _measure(p, clock, mode, first_stop)
    final = mode[p.last]
    running = final == Mode.RUNNING
    knowable = running | (final == Mode.STOPPED)

    def crossing(limit: I64, ahead: Flags) -> tuple[Flags, I64]:
        """Crossing instants: past ones, and ahead for the clocks in ``ahead``."""
        over, pos = run.crossing_positions(limit)
        known = over | ahead
        instants = np.full(limit.size, NONE, dtype=np.int64)
        if known.all():
            instants = p.calendar.at_position(p.compiled, pos)
        elif known.any():
            instants[known] = p.calendar.at_position(p.compiled, pos[known])
        return over, instants

    over, deadline = crossing(b, knowable)
    crossed = np.zeros((b.size, len(thresholds)), dtype=bool)
    crossing_at = np.full((b.size, len(thresholds)), NONE, dtype=np.int64)
    for j, fraction in enumerate(thresholds):
        crossed[:, j], crossing_at[:, j] = crossing((b * fraction).astype(np.int64), running)
    return Measurements(
        status=p.spread(_status(final, over), Status.PENDING),
        budget=np.array(budget_all),
        used=p.spread(times["used"], 0),
        paused=p.spread(times["paused"], 0),
        started_at=p.spread(times["started_at"], NONE),
        stopped_at=p.spread(times["stopped_at"], NONE),
        deadline=p.spread(np.where(final == Mode.PENDING, NONE, deadline), NONE),
        breached_at=p.spread(np.where(over, deadline, NONE), NONE),
        thresholds=tuple(thresholds),
        crossed=p.spread(crossed, False),
        crossing_at=p.spread(crossing_at, NONE),
        modes=modes if explain else None,
    )


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
    return run_prepared(prepare(tl, calendar, now), clock, budget, thresholds, explain)


def _status(final_mode: NDArray[np.int8], over: Flags) -> NDArray[np.int8]:
    status = np.full(final_mode.size, Status.PENDING, dtype=np.int8)
    status[final_mode == Mode.RUNNING] = Status.RUNNING
    status[final_mode == Mode.PAUSED] = Status.PAUSED
    status[final_mode == Mode.STOPPED] = Status.MET
    live_or_done = (
        (final_mode == Mode.RUNNING) | (final_mode == Mode.PAUSED) | (final_mode == Mode.STOPPED)
    )
    status[live_or_done & over] = Status.BREACHED
    status[final_mode == Mode.CANCELLED] = Status.CANCELLED
    return status
