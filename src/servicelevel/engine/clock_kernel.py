"""The compiled clock kernel: one walk over each ticket's events for all the clocks measuring it.

Imported only when clocks are evaluated (chosen by :mod:`servicelevel.engine.kernels`), so that
importing the CLI or the web app does not import Numba. The same source also runs interpreted,
loaded under another name, for work too small to pay for loading the compiled code. Compiled
with ``nogil``: callers run chunks of tickets on threads of their own. ``cache=True`` keeps
the compiled code in ``__pycache__`` (or Numba's per-user cache) so a new process loads it
instead of compiling; where neither can be written, it compiles in every process.

Per ticket, the events up to ``now`` are placed on the calendar once (``F``: the first event
through the calendar's bucket table, see :mod:`servicelevel.engine.lookup`, the next ones by
searching forward from the previous event's interval), then each clock walks them twice: once
for its modes (the state machine; under ``reopen: restart`` the last reopen), once to add up running
and paused time and to note, for the deadline and every warning threshold, the event during
which the running total first exceeded it. The crossing instants are inverse lookups of ``F``
at the end, searched forward from the interval they start in. A position beyond the compiled
calendar is left to the caller, which compiles further ahead and runs the chunk again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from servicelevel.engine.clocks import NONE, Mode, Status
from servicelevel.engine.durations import LONGEST

# The clocks' modes and statuses as plain integers, which Numba compiles in as constants.
PENDING, RUNNING, PAUSED, STOPPED, CANCELLED = (int(m) for m in Mode)
S_PENDING, S_RUNNING, S_PAUSED, S_MET, S_BREACHED, S_CANCELLED = (int(s) for s in Status)
INT64_MAX = 2**63 - 1
HAS_START, HAS_STOP_EVENTS, RESTART = 0, 1, 2  # columns of the clocks' flags


# Compiled when imported under its own name; the interpreted twin (kernels.interpreted) runs the
# same functions as they are.
COMPILING = __name__ == "servicelevel.engine.clock_kernel"


def _jit(fn: Callable[..., Any]) -> Any:
    if not COMPILING:
        return fn
    import numba

    try:
        return numba.njit(nogil=True, cache=True)(fn)
    except RuntimeError:  # no writable cache directory (read-only install, no home)
        return numba.njit(nogil=True)(fn)


@_jit
def seek(values: Any, t: Any, j: Any) -> Any:  # pragma: no cover - compiled
    """Index of the last of the sorted ``values`` at or before ``t`` (-1 if none), galloping
    forward from ``j`` (the answer for an earlier ``t``, or -1)."""
    n = values.size
    lo = j
    if lo < 0 or lo >= n or values[lo] > t:
        lo = -1
    step = 1
    hi = lo + 1
    while hi < n and values[hi] <= t:
        lo = hi
        step *= 2
        hi = lo + step
    hi = min(hi, n)
    while hi - lo > 1:
        mid = (lo + hi) >> 1
        if values[mid] <= t:
            lo = mid
        else:
            hi = mid
    return lo


@_jit
def position(cal: Any, t: Any, j: Any) -> Any:  # pragma: no cover - compiled
    """F(t), given ``j``: the last interval opening at or before ``t`` (-1 if none)."""
    opens, closes, cum = cal[0], cal[1], cal[2]
    return 0 if j < 0 else cum[j] + min(t - opens[j], closes[j] - opens[j])


@_jit
def place(
    events: Any,
    cal: Any,
    t: Any,
    now: Any,
    kept: Any,
    pos: Any,
    where: Any,
    codes: Any,
    no_event: Any,
) -> Any:  # pragma: no cover - compiled
    """Ticket ``t``'s events up to ``now`` (``kept``), F at each (``pos``), the interval each
    lies in (``where``) and its state and event codes (``codes``, read once for every clock;
    an event without a name gets ``no_event``, the code after the last); returns how many.
    The first event is found through the bucket table, the next ones by searching forward
    from the previous one."""
    offsets, at, state, event = events
    opens, table, low, high, shift = cal[0], cal[4], cal[5], cal[6], cal[7]
    m = 0
    j = -1
    for e in range(offsets[t], offsets[t + 1]):
        a = at[e]
        if a > now:
            continue
        if m == 0 and low <= a < high:
            j = table[(a - low) >> shift]
            while j < opens.size and opens[j] <= a:
                j += 1
            j -= 1
        else:
            j = seek(opens, a, j)
        kept[m] = e
        codes[0, m] = state[e]
        codes[1, m] = event[e] if event[e] >= 0 else no_event
        where[m] = j
        pos[m] = position(cal, a, j)
        m += 1
    return m


@_jit
def state_machine(
    codes: Any, clocks: Any, k: Any, kept: Any, m: Any, modes: Any, modes_out: Any
) -> Any:  # pragma: no cover - compiled
    """Clock ``k``'s mode after each kept event (into ``modes``, and ``modes_out`` when it is
    asked for); returns the event from which the clock counts (the last reopen under
    ``restart``, else 0)."""
    state, event = codes[0], codes[1]
    state_mode, start_state, start_event, stop_event = (
        clocks[0][k],
        clocks[1][k],
        clocks[2][k],
        clocks[3][k],
    )
    flags = clocks[4]
    has_stop_events = flags[k, HAS_STOP_EVENTS]
    explain = modes_out.shape[1] > 0
    restart = flags[k, RESTART]
    started = not flags[k, HAS_START]
    stopped_for_good = False
    latest = 0
    for q in range(m):
        s = state[q]
        ev = event[q]
        mode = state_mode[s]
        if not started:
            started = start_event[ev] or start_state[s]
        if has_stop_events:
            stopped_for_good = stopped_for_good or (started and stop_event[ev])
            if stopped_for_good and mode != CANCELLED:
                mode = STOPPED
        if not started:
            mode = PENDING
        modes[q] = mode
        if explain:
            modes_out[k, kept[q]] = mode
        if restart and q > 0 and modes[q - 1] == STOPPED and mode in (RUNNING, PAUSED):
            latest = q  # a reopen (sought only where it matters: 2 % of the kernel's time)
    return latest


@_jit
def walk(
    pos: Any, where: Any, modes: Any, m: Any, latest: Any, limit: Any, n_limits: Any, crossing: Any
) -> Any:  # pragma: no cover - compiled
    """Running and paused time, the first event in which the clock counts, the start of its
    trailing stop; and, per limit, where the running total first exceeded it (``crossing``:
    found, F, interval)."""
    found, cross_pos, cross_where = crossing
    lowest = INT64_MAX  # the smallest limit not yet exceeded: one test per event
    for c in range(n_limits):
        found[c] = False
        lowest = min(lowest, limit[c])
    used = 0
    paused = 0
    first_live = -1
    run_start = -1
    for q in range(m):
        mode = modes[q] if q >= latest else PENDING
        length = pos[q + 1] - pos[q]
        if mode != PENDING and first_live < 0:
            first_live = q
        if mode != STOPPED:
            run_start = -1
        elif run_start < 0:
            run_start = q
        before = used
        if mode == RUNNING:
            used += length
        elif mode == PAUSED:
            paused += length
        if used > lowest:
            lowest = INT64_MAX
            for c in range(n_limits):
                if found[c]:
                    continue
                if used > limit[c]:
                    found[c] = True
                    cross_pos[c] = pos[q] + limit[c] - before
                    cross_where[c] = where[q]
                else:
                    lowest = min(lowest, limit[c])
    return used, paused, first_live, run_start


@_jit
def instant_at(cal: Any, x: Any, i: Any) -> Any:  # pragma: no cover - compiled
    """The latest instant whose F is ``x`` and the interval it is in, searching on from
    interval ``i`` (one whose start is at or before it); the interval is past the last when
    ``x`` lies beyond the compiled calendar."""
    opens, cum, cum_end = cal[0], cal[2], cal[3]
    i = seek(cum_end, x, i - 1) + 1
    return (opens[i] + x - cum[i] if i < cum_end.size else NONE), i


@_jit
def status_of(final: Any, over: Any) -> Any:  # pragma: no cover - compiled
    if final == PENDING or final == CANCELLED:  # noqa: SIM109
        return S_PENDING if final == PENDING else S_CANCELLED
    if over:
        return S_BREACHED
    return S_RUNNING if final == RUNNING else S_PAUSED if final == PAUSED else S_MET


@_jit
def run_chunk(  # pragma: no cover - compiled
    lo: Any,
    hi: Any,
    rows: Any,
    events: Any,
    now: Any,
    cal: Any,
    clocks: Any,
    budget: Any,
    fractions: Any,
    n_fractions: Any,
    out: Any,
    crossing_out: Any,
    modes_out: Any,
) -> Any:
    """Measure every clock ``k`` over the tickets ``rows[lo:hi]``; results go to row ``k``,
    column ``g`` (the ticket's place in ``rows``) of the output arrays: ``out`` holds status,
    used and paused (32-bit seconds), started, stopped and deadline; ``crossing_out`` when each
    warning was or will be crossed. Whether a limit was crossed (a breach, a warning) follows
    from the time used and the budget, so it is not written (see ``Measurements``).

    Returns -1, or the largest position beyond the compiled calendar that an instant was
    wanted for: the caller then compiles further ahead and runs the chunk again."""
    at = events[1]
    status, used_out, paused_out, started_out, stopped_out, deadline_out = out
    n_limits = fractions.shape[1] + 1
    j_now = seek(cal[0], now, -1)
    longest = 0
    for g in range(lo, hi):
        longest = max(longest, events[0][rows[g] + 1] - events[0][rows[g]])
    kept = np.empty(longest, dtype=np.int64)  # event indices up to now
    pos = np.empty(longest + 1, dtype=np.int64)  # F at them, then F(now)
    where = np.empty(longest + 1, dtype=np.int64)  # the interval each lies in
    modes = np.empty(longest, dtype=np.int8)
    codes = np.empty((2, longest), dtype=np.int32)  # state and event of each (see place)
    no_event = clocks[2].shape[1] - 1  # the code of an event without a name
    limit = np.empty(n_limits, dtype=np.int64)
    crossing = (
        np.empty(n_limits, dtype=np.bool_),
        np.empty(n_limits, dtype=np.int64),
        np.empty(n_limits, dtype=np.int64),
    )
    beyond = -1
    for g in range(lo, hi):
        m = place(events, cal, rows[g], now, kept, pos, where, codes, no_event)
        pos[m] = position(cal, now, j_now)
        where[m] = j_now
        for k in range(clocks[0].shape[0]):
            nf = n_fractions[k]
            latest = state_machine(codes, clocks, k, kept, m, modes, modes_out)
            b = budget[k, g if budget.shape[1] > 1 else 0]
            limit[0] = b
            for c in range(nf):
                limit[c + 1] = np.int64(np.float64(b) * fractions[k, c])
            used, paused, first_live, run_start = walk(
                pos, where, modes, m, latest, limit, nf + 1, crossing
            )
            final = modes[m - 1] if m > 0 and m - 1 >= latest else PENDING
            end = run_start if final == STOPPED else m  # a clock not stopped ran on to now
            status[k, g] = status_of(final, used > limit[0])
            used_out[k, g] = min(used, LONGEST)  # 32-bit seconds, saturating
            paused_out[k, g] = min(paused, LONGEST)
            started_out[k, g] = at[kept[first_live]] if first_live >= 0 else NONE
            stopped_out[k, g] = at[kept[run_start]] if final == STOPPED else NONE
            # crossing instants: past ones, and ahead where they can be known; the warnings
            # first (usually smaller, in order), each search going on from the last answer
            last_x, last_i = -1, -1
            for step in range(nf + 1):
                c = step + 1 if step < nf else 0
                over = m > 0 and used > limit[c]  # a ticket without events: nothing
                x = crossing[1][c] if over else pos[end] + limit[c] - used
                i = crossing[2][c] if over else where[end]
                instant = NONE
                if over or final == RUNNING or (c == 0 and final == STOPPED):
                    if last_i > i and last_x <= x:
                        i = last_i
                    instant, i = instant_at(cal, x, i)
                    last_x, last_i = x, i
                    if i >= cal[3].size:
                        beyond = max(beyond, x)
                if c == 0:
                    deadline_out[k, g] = NONE if final == PENDING else instant
                else:
                    crossing_out[k, g, c - 1] = instant
    return beyond
