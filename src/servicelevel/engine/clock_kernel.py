"""The compiled clock kernel: one walk over each ticket's events for all the clocks measuring it.

Imported only when clocks are evaluated (by :mod:`servicelevel.engine.clocks`), so that
importing the CLI or the web app does not import Numba. Compiled with ``nogil``: callers run
chunks of tickets on threads of their own. ``cache=True`` keeps the compiled code in
``__pycache__`` (or Numba's per-user cache) so a new process loads it instead of compiling;
where neither can be written, it compiles in every process.

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

import functools
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

PENDING, RUNNING, PAUSED, STOPPED, CANCELLED = 0, 1, 2, 3, 4  # clocks.Mode
S_PENDING, S_RUNNING, S_PAUSED, S_MET, S_BREACHED, S_CANCELLED = 0, 1, 2, 3, 4, 5  # Status
NONE = -1
HAS_START, HAS_STOP_EVENTS, RESTART = 0, 1, 2  # columns of the clocks' flags


def _jit(fn: Callable[..., Any], **options: Any) -> Any:
    try:
        return numba.njit(nogil=True, cache=True, **options)(fn)
    except RuntimeError:  # no writable cache directory (read-only install, no home)
        return numba.njit(nogil=True, **options)(fn)


@functools.partial(_jit, inline="always")
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
def run_chunk(  # pragma: no cover - compiled
    lo: Any,
    hi: Any,
    rows: Any,
    offsets: Any,
    at: Any,
    state: Any,
    event: Any,
    now: Any,
    opens: Any,
    closes: Any,
    cum: Any,
    cum_end: Any,
    table: Any,
    low: Any,
    high: Any,
    shift: Any,
    state_mode: Any,
    start_state: Any,
    start_event: Any,
    stop_event: Any,
    flags: Any,
    budget: Any,
    fractions: Any,
    n_fractions: Any,
    status: Any,
    used_out: Any,
    paused_out: Any,
    started_out: Any,
    stopped_out: Any,
    deadline_out: Any,
    breached_out: Any,
    crossed_out: Any,
    crossing_out: Any,
    modes_out: Any,
) -> Any:
    """Measure every clock ``k`` over the tickets ``rows[lo:hi]``; results go to row ``k``,
    column ``g`` (the ticket's place in ``rows``) of the output arrays.

    Returns -1, or the largest position beyond the compiled calendar that an instant was
    wanted for: the caller then compiles further ahead and runs the chunk again."""
    n_clocks = state_mode.shape[0]
    n_limits = fractions.shape[1] + 1
    no_event = start_event.shape[1] - 1
    explain = modes_out.shape[1] > 0
    j_now = seek(opens, now, -1)
    f_now = 0 if j_now < 0 else cum[j_now] + min(now - opens[j_now], closes[j_now] - opens[j_now])
    longest = 0
    for g in range(lo, hi):
        t = rows[g]
        longest = max(longest, offsets[t + 1] - offsets[t])
    kept = np.empty(longest, dtype=np.int64)  # event indices up to now
    pos = np.empty(longest + 1, dtype=np.int64)  # F at them, then F(now)
    where = np.empty(longest + 1, dtype=np.int64)  # the interval each lies in
    modes = np.empty(longest, dtype=np.int8)
    limit = np.empty(n_limits, dtype=np.int64)
    cross_pos = np.empty(n_limits, dtype=np.int64)
    cross_where = np.empty(n_limits, dtype=np.int64)
    found = np.empty(n_limits, dtype=np.bool_)
    beyond = -1
    for g in range(lo, hi):
        t = rows[g]
        m = 0
        j = -1
        for e in range(offsets[t], offsets[t + 1]):
            a = at[e]
            if a > now:
                continue
            if m == 0 and low <= a < high:  # a ticket's first event: read the bucket table
                j = table[(a - low) >> shift]
                while j < opens.size and opens[j] <= a:
                    j += 1
                j -= 1
            else:
                j = seek(opens, a, j)
            kept[m] = e
            where[m] = j
            pos[m] = 0 if j < 0 else cum[j] + min(a - opens[j], closes[j] - opens[j])
            m += 1
        pos[m] = f_now
        where[m] = j_now
        for k in range(n_clocks):
            nf = n_fractions[k]
            if m == 0:
                status[k, g] = S_PENDING
                used_out[k, g] = 0
                paused_out[k, g] = 0
                started_out[k, g] = NONE
                stopped_out[k, g] = NONE
                deadline_out[k, g] = NONE
                breached_out[k, g] = NONE
                for q in range(nf):
                    crossed_out[k, g, q] = False
                    crossing_out[k, g, q] = NONE
                continue
            # the state machine: the clock's mode after every event
            has_start = flags[k, HAS_START]
            started = not has_start
            stopped_for_good = False
            latest = 0
            for q in range(m):
                e = kept[q]
                s = state[e]
                ev = event[e]
                if ev < 0:
                    ev = no_event
                mode = state_mode[k, s]
                if not started:
                    started = start_event[k, ev] or start_state[k, s]
                if flags[k, HAS_STOP_EVENTS]:
                    if started and stop_event[k, ev]:
                        stopped_for_good = True
                    if stopped_for_good and mode != CANCELLED:
                        mode = STOPPED
                if not started:
                    mode = PENDING
                modes[q] = mode
                if explain:
                    modes_out[k, e] = mode
                if q > 0 and modes[q - 1] == STOPPED and (mode == RUNNING or mode == PAUSED):  # noqa: SIM109
                    latest = q  # a reopen
            if not flags[k, RESTART]:
                latest = 0
            # running and paused time, and where each limit was first exceeded
            b = budget[k, g if budget.shape[1] > 1 else 0]
            limit[0] = b
            for q in range(nf):
                limit[q + 1] = np.int64(np.float64(b) * fractions[k, q])
            for q in range(nf + 1):
                found[q] = False
            used = 0
            paused = 0
            first_live = -1
            run_start = -1
            for q in range(m):
                mode = modes[q] if q >= latest else PENDING
                length = pos[q + 1] - pos[q]
                if mode != PENDING and first_live < 0:
                    first_live = q
                if mode == STOPPED:
                    if run_start < 0:
                        run_start = q
                else:
                    run_start = -1
                before = used
                if mode == RUNNING:
                    used += length
                elif mode == PAUSED:
                    paused += length
                for c in range(nf + 1):
                    if not found[c] and used > limit[c]:
                        found[c] = True
                        cross_pos[c] = pos[q] + limit[c] - before
                        cross_where[c] = where[q]
            final = modes[m - 1] if m - 1 >= latest else PENDING
            end = m  # a clock not stopped ran on to now
            if final == STOPPED:
                end = run_start
                stopped_out[k, g] = at[kept[run_start]]
            else:
                stopped_out[k, g] = NONE
            used_out[k, g] = used
            paused_out[k, g] = paused
            started_out[k, g] = at[kept[first_live]] if first_live >= 0 else NONE
            # crossing instants: past ones, and ahead where they can be known
            over0 = used > limit[0]
            last_x = -1
            last_i = -1
            for step in range(nf + 1):  # the warnings first: usually smaller, in order
                c = step + 1 if step < nf else 0
                over = used > limit[c]
                if over:
                    x = cross_pos[c]
                    i = cross_where[c]
                else:
                    x = pos[end] + limit[c] - used
                    i = where[end]
                known = over or final == RUNNING or (c == 0 and final == STOPPED)
                instant = NONE
                if known:
                    if last_i > i and last_x <= x:  # search on from the last answer
                        i = last_i
                    i = seek(cum_end, x, i - 1) + 1
                    last_x = x
                    last_i = i
                    if i < cum_end.size:
                        instant = opens[i] + x - cum[i]
                    else:
                        beyond = max(beyond, x)
                if c == 0:
                    deadline_out[k, g] = NONE if final == PENDING else instant
                    breached_out[k, g] = instant if over else NONE
                else:
                    crossed_out[k, g, c - 1] = over
                    crossing_out[k, g, c - 1] = instant
            if final == PENDING:
                status[k, g] = S_PENDING
            elif final == CANCELLED:
                status[k, g] = S_CANCELLED
            elif over0:
                status[k, g] = S_BREACHED
            elif final == RUNNING:
                status[k, g] = S_RUNNING
            elif final == PAUSED:
                status[k, g] = S_PAUSED
            else:
                status[k, g] = S_MET
    return beyond
