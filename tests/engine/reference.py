"""A deliberately simple reference for business time: step day by day with zoneinfo.

No NumPy, no cumulative arrays, no binary search: every working interval of every day is built
from the calendar's rules with plain datetimes, and sums and deadlines walk them one at a time.
The engine must agree with this on every input hypothesis can think of.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC


@dataclass
class RefCalendar:
    timezone: str
    week: list[list[tuple[int, int]]]  # per weekday: (start, end) seconds after local midnight
    holidays: set[dt.date] = field(default_factory=set)
    adjusted: set[dt.date] = field(default_factory=set)  # weekend days declared working
    custom_holidays: set[dt.date] = field(default_factory=set)
    yearly: set[tuple[int, int]] = field(default_factory=set)
    extra: dict[dt.date, list[tuple[int, int]]] = field(default_factory=dict)
    closures: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    substitute: list[tuple[int, int]] = field(default_factory=list)

    def shifts_on(self, day: dt.date) -> list[tuple[int, int]]:
        if day in self.extra:
            return self.extra[day]
        if day in self.custom_holidays or (day.month, day.day) in self.yearly:
            return []
        if day in self.adjusted:
            return self.substitute
        if day in self.holidays:
            return []
        return self.week[day.weekday()]

    def wall(self, naive: dt.datetime) -> dt.datetime:
        """The UTC instant of a local wall-clock time. A wall time that does not exist (a
        spring-forward gap) moves forward, second by second, to the first one that does; a
        repeated one (fall back) is its first occurrence."""
        zone = ZoneInfo(self.timezone)
        naive = naive.replace(fold=0)
        while True:
            instant = naive.replace(tzinfo=zone).astimezone(UTC)
            if instant.astimezone(zone).replace(tzinfo=None) == naive:
                return instant
            naive += dt.timedelta(seconds=1)

    def day_intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        out = []
        midnight = dt.datetime(day.year, day.month, day.day)
        for start, end in self.shifts_on(day):
            s = self.wall(midnight + dt.timedelta(seconds=start))
            e = self.wall(midnight + dt.timedelta(seconds=end))
            if e > s:
                out.append((s, e))
        return out

    def is_business_day(self, day: dt.date) -> bool:
        """Whether some shift that starts on ``day`` is not wholly closed."""
        for s, e in self.day_intervals(day):
            pieces = [(s, e)]
            for cs, ce in self.closures:
                pieces = [p for a, b in pieces for p in ((a, min(b, cs)), (max(a, ce), b))]
                pieces = [(a, b) for a, b in pieces if b > a]
            if pieces:
                return True
        return False

    def intervals(self, a: dt.datetime, b: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
        """Merged working intervals overlapping [a - 2 days, b + 2 days], closures removed."""
        zone = ZoneInfo(self.timezone)
        day = a.astimezone(zone).date() - dt.timedelta(days=2)
        last = b.astimezone(zone).date() + dt.timedelta(days=2)
        raw = []
        while day <= last:
            raw.extend(self.day_intervals(day))
            day += dt.timedelta(days=1)
        raw.sort()
        merged: list[list[dt.datetime]] = []
        for s, e in raw:
            if merged and s <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], e)
            else:
                merged.append([s, e])
        pieces = [(s, e) for s, e in merged]
        for cs, ce in self.closures:
            cut = []
            for s, e in pieces:
                if ce <= s or cs >= e:
                    cut.append((s, e))
                    continue
                if s < cs:
                    cut.append((s, cs))
                if ce < e:
                    cut.append((ce, e))
            pieces = cut
        return pieces


def ref_elapsed(cal: RefCalendar, a: dt.datetime, b: dt.datetime) -> int:
    if b < a:
        return -ref_elapsed(cal, b, a)
    total = 0
    for s, e in cal.intervals(a, b):
        lo, hi = max(s, a), min(e, b)
        if hi > lo:
            total += int((hi - lo).total_seconds())
    return total


def ref_deadline(cal: RefCalendar, start: dt.datetime, budget: int) -> dt.datetime:
    """Walk forward interval by interval; a budget ending exactly at a close moves on."""
    window = dt.timedelta(days=30)
    cursor = lo = start
    left = budget
    while cursor < start + dt.timedelta(days=3 * 366):
        for s, e in cal.intervals(cursor, cursor + window):
            if e <= lo:
                continue
            s = max(s, lo)
            available = int((e - s).total_seconds())
            if left < available:
                return s + dt.timedelta(seconds=left)
            left -= available
            lo = e
        cursor += window
    raise ValueError("no deadline within three years")


def ref_business_days(cal: RefCalendar, start: dt.datetime, days: int) -> dt.datetime:
    """Count business days one date at a time from the date of the first working instant,
    keep its wall-clock time, and take the next opening from there."""
    begin = ref_next_opening(cal, start)
    if days == 0:
        return begin
    local = begin.astimezone(ZoneInfo(cal.timezone))
    day, counted = local.date(), 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day > local.date() + dt.timedelta(days=3 * 366):
            raise ValueError("no business day within three years")
        counted += cal.is_business_day(day)
    target = cal.wall(dt.datetime.combine(day, local.time()))
    return ref_next_opening(cal, target)


def ref_is_working(cal: RefCalendar, t: dt.datetime) -> bool:
    return any(s <= t < e for s, e in cal.intervals(t, t))


def ref_next_opening(cal: RefCalendar, t: dt.datetime) -> dt.datetime:
    return ref_deadline(cal, t, 0)


@dataclass
class RefClockResult:
    status: str
    used: int
    paused: int
    deadline: dt.datetime | None
    breached_at: dt.datetime | None


def ref_clock(
    cal: RefCalendar,
    events: list[tuple[dt.datetime, str, str | None]],
    *,
    start_events: set[str],
    start_states: set[str],
    pause_states: set[str],
    stop_states: set[str],
    stop_events: set[str],
    cancel_states: set[str],
    reopen: str,
    budget: int,
    now: dt.datetime,
    held: list[bool] | None = None,
) -> RefClockResult:
    """Step through one ticket's events in order, the way a person would. With ``held`` (per
    event: whether the team the target is held by holds the ticket after it), the clock also
    pauses while another team holds it."""
    away = [False] * len(events) if held is None else [not h for h in held]
    away = [a for a, e in zip(away, events, strict=True) if e[0] <= now]
    events = [e for e in events if e[0] <= now]
    started = False
    stopped_for_good = False
    modes: list[tuple[dt.datetime, str]] = []
    previous = None
    for i, (at, state, name) in enumerate(events):
        if not started:
            if start_events or start_states:
                started = name in start_events or state in start_states
            else:
                started = i == 0
        if started and name in stop_events:
            stopped_for_good = True
        if not started:
            mode = "pending"
        elif state in cancel_states:
            mode = "cancelled"
        elif state in stop_states or stopped_for_good:
            mode = "stopped"
        elif state in pause_states or away[i]:
            mode = "paused"
        else:
            mode = "running"
        if reopen == "restart" and previous == "stopped" and mode in ("running", "paused"):
            modes = []  # a reopen starts the clock again from zero
        modes.append((at, mode))
        previous = mode
    used = paused = 0
    runs = []
    for k, (at, mode) in enumerate(modes):
        end = modes[k + 1][0] if k + 1 < len(modes) else now
        if mode == "running":
            runs.append((at, end))
            used += ref_elapsed(cal, at, end)
        elif mode == "paused":
            paused += ref_elapsed(cal, at, end)
    final = modes[-1][1] if modes else "pending"
    deadline = None
    left = budget
    for at, end in runs:
        spent = ref_elapsed(cal, at, end)
        if spent > left:
            deadline = ref_deadline(cal, at, left)
            break
        left -= spent
    if deadline is None and final == "running":
        deadline = ref_deadline(cal, now, left)
    over = used > budget
    if final == "cancelled":
        status = "cancelled"
    elif final == "pending":
        status = "pending"
    elif over:
        status = "breached"
    else:
        status = {"running": "running", "paused": "paused", "stopped": "met"}[final]
    shown = deadline if over or final == "running" else None
    return RefClockResult(status, used, paused, shown, deadline if over else None)
