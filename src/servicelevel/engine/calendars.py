"""Service-hours calendars and their compilation to UTC working intervals.

A calendar is a time zone, a weekly pattern of shifts in wall-clock time, a source of public
holidays and adjusted working days (调休), custom holidays and extra working days, and closures.
Everything the clocks need is derived from one compiled form: sorted, disjoint, half-open UTC
working intervals ``[open, close)`` in epoch seconds with the cumulative working seconds before
each interval. Elapsed business time is then ``F(b) - F(a)`` and a deadline an inverse lookup
(see :mod:`servicelevel.engine.business_time`).

This module is pure: holiday data reaches it through the :class:`HolidaySource` protocol, so the
engine never imports a data package or touches a file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from servicelevel.engine.intervals import subtract, union
from servicelevel.engine.lookup import BucketIndex

DAY = 86_400
I64 = NDArray[np.int64]


@dataclass(frozen=True, order=True)
class Shift:
    """A working span in wall-clock seconds after the local midnight of the day it starts.

    ``end`` may exceed 86 400: an overnight shift 22:00–06:00 is ``Shift(79200, 108000)`` and
    belongs to the day on which it starts (a holiday on that day removes it).
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < DAY:
            raise ValueError(f"shift start {self.start}s is not within one day")
        if not self.start < self.end <= self.start + DAY:
            raise ValueError("a shift must end after it starts and last at most 24 hours")


@dataclass(frozen=True)
class Closure:
    """An absolute span ``[start, end)`` (UTC epoch seconds) during which nobody works."""

    start: int
    end: int
    reason: str = ""


class HolidaySource(Protocol):
    """Where public holidays and adjusted working days come from (e.g. the `holidays` package)."""

    def days_off(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        """Public holidays and substituted days off in the given years."""
        ...

    def working_days(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        """Days that would be off by the weekly pattern but are declared working days (调休)."""
        ...


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class CalendarSpec:
    """Everything that defines a calendar, before compilation.

    Day rule, most specific first: an explicit extra working day; a custom holiday (dated or
    yearly); an adjusted
    working day from the source (worked with ``substitute_shifts``); a source holiday; the weekly
    pattern. Closures are then cut out of whatever working time remains.
    """

    timezone: str
    week: tuple[tuple[Shift, ...], ...]
    name: str = ""
    holidays: HolidaySource | None = None
    custom_holidays: frozenset[dt.date] = frozenset()
    yearly_holidays: frozenset[tuple[int, int]] = frozenset()  # (month, day) every year
    extra_working_days: Mapping[dt.date, tuple[Shift, ...]] = field(default_factory=dict)
    closures: tuple[Closure, ...] = ()
    substitute_shifts: tuple[Shift, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.week) != 7:
            raise ValueError("a week has seven days of shifts, Monday first")
        ZoneInfo(self.timezone)  # raises for an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def workday_shifts(self) -> tuple[Shift, ...]:
        """Shifts worked on an adjusted working day: explicit, else the most common weekday's."""
        if self.substitute_shifts is not None:
            return self.substitute_shifts
        weekdays = [s for s in self.week[:5] if s]
        if not weekdays:
            return ()
        return max(weekdays, key=weekdays.count)

    def recurs(self) -> bool:
        """Whether working time comes back without end: a weekly shift, or adjusted working
        days (调休) from the holiday source worked with workday hours."""
        return any(self.week) or (self.holidays is not None and bool(self.workday_shifts()))

    def last_working_date(self) -> dt.date | None:
        """The last date that can have working time when it does not recur (only extra working
        days have hours); ``None`` when it recurs or there is none at all."""
        if self.recurs():
            return None
        return max((d for d, shifts in self.extra_working_days.items() if shifts), default=None)

    def has_working_time(self) -> bool:
        """Whether any day at all has working hours (closures aside)."""
        return self.recurs() or self.last_working_date() is not None


def always_open(timezone: str = "UTC", name: str = "24x7") -> CalendarSpec:
    """The 24×7 calendar: every second is working time."""
    whole_day = (Shift(0, DAY),)
    return CalendarSpec(timezone=timezone, week=(whole_day,) * 7, name=name)


@dataclass(frozen=True)
class DayPlan:
    """The shifts worked on one local date after all day rules."""

    date: dt.date
    shifts: tuple[Shift, ...]


def plan_days(spec: CalendarSpec, first: dt.date, last: dt.date) -> list[DayPlan]:
    """Apply the day rule to every local date in ``[first, last]``."""
    source = spec.holidays
    off: frozenset[dt.date] = frozenset()
    adjusted: frozenset[dt.date] = frozenset()
    if source is not None:
        off = source.days_off(first.year, last.year)
        adjusted = source.working_days(first.year, last.year)
    substitute = spec.workday_shifts()
    plans = []
    day = first
    while day <= last:
        if day in spec.extra_working_days:
            shifts = spec.extra_working_days[day]
        elif day in spec.custom_holidays or (day.month, day.day) in spec.yearly_holidays:
            shifts = ()
        elif day in adjusted:
            shifts = substitute
        elif day in off:
            shifts = ()
        else:
            shifts = spec.week[day.weekday()]
        plans.append(DayPlan(day, shifts))
        day += dt.timedelta(days=1)
    return plans


def wall_to_epoch(day: dt.date, seconds: int, zone: ZoneInfo) -> int:
    """UTC epoch seconds of a wall-clock time ``seconds`` after local midnight of ``day``.

    A wall time skipped by a forward jump (02:30 on a spring-forward night in Berlin) does not
    exist: it is moved forward to the first instant that does, the jump itself (03:00 CEST).
    A repeated wall time (fall back) is its first occurrence.
    """
    naive = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds)
    first = naive.replace(tzinfo=zone)
    epoch = int(first.timestamp())
    second = naive.replace(tzinfo=zone, fold=1)
    before, after = first.utcoffset(), second.utcoffset()
    if before is not None and after is not None and after > before:  # in a gap
        return jump_before(int(second.timestamp()), epoch, zone)
    return epoch


UNIX_ORDINAL = dt.date(1970, 1, 1).toordinal()
SAMPLE = 6 * 3600  # a zone's offset is sampled this often to find its changes


def walls_to_epochs(days: I64, seconds: I64, zone: ZoneInfo) -> I64:
    """:func:`wall_to_epoch` for many wall-clock times at once (``days`` as proleptic
    ordinals), with the same answers.

    Compiling a calendar converts two wall times per shift, tens of thousands for a few years:
    one ``datetime`` round trip each cost half a second. Here the zone's offset changes over
    the span are found once (its offset sampled every six hours, each change then pinned to the
    second by :func:`jump_before`; no zone changes its offset twice within six hours), and each
    wall time is converted with the offset of the stretch it falls in: its first occurrence
    when it is repeated, the jump itself when it is skipped.
    """
    naive = (days - UNIX_ORDINAL) * DAY + seconds  # the wall time read as if it were UTC
    if naive.size == 0:
        return naive.astype(np.int64)
    starts, offsets = _offset_stretches(
        int(naive.min()) - 2 * DAY, int(naive.max()) + 2 * DAY, zone
    )
    out = np.zeros(naive.size, dtype=np.int64)
    found = np.zeros(naive.size, dtype=bool)
    ends = [*starts[1:], None]
    for start, end, offset in reversed(list(zip(starts, ends, offsets, strict=True))):
        t = naive - offset  # earlier stretches are written last: a repeated time's first
        ok = t >= start if start is not None else np.ones(t.size, dtype=bool)
        if end is not None:
            ok &= t < end
        out[ok], found[ok] = t[ok], True
    for k in range(1, len(starts)):  # skipped wall times: the jump of the stretch they fall in
        start = starts[k]
        assert start is not None
        gap = ~found & (naive >= start + offsets[k - 1]) & (naive < start + offsets[k])
        out[gap], found[gap] = start, True
    return out


def _offset_stretches(lo: int, hi: int, zone: ZoneInfo) -> tuple[list[int | None], list[int]]:
    """Where ``zone``'s UTC offset changes within ``[lo, hi]``: the start of each stretch of one
    offset (None for the first, which reaches back before ``lo``) and its offset in seconds."""

    def offset(t: int) -> int:
        found = dt.datetime.fromtimestamp(t, zone).utcoffset()
        return int(found.total_seconds()) if found is not None else 0

    starts: list[int | None] = [None]
    offsets = [offset(lo)]
    before = lo
    for t in range(lo + SAMPLE, hi + SAMPLE, SAMPLE):
        now = offset(t)
        if now != offsets[-1]:
            starts.append(jump_before(before, t, zone))
            offsets.append(now)
        before = t
    return starts, offsets


def jump_before(lo: int, hi: int, zone: ZoneInfo) -> int:
    """The instant in ``(lo, hi]`` at which ``zone``'s offset changes, given that it has the
    offset of before the change at ``lo`` and of after it at ``hi``."""
    after = dt.datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if dt.datetime.fromtimestamp(mid, zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class CompiledCalendar:
    """Working intervals of a calendar over a span of local years.

    ``opens``/``closes`` are sorted disjoint UTC epoch seconds; ``cum[i]`` is the working time
    before ``opens[i]`` counted from ``origin``. ``working_dates`` lists the business days:
    the local dates that have working time (a shift that starts on the date and is not wholly
    closed), for business-day arithmetic.
    """

    spec: CalendarSpec
    first_year: int
    last_year: int
    opens: I64
    closes: I64
    cum: I64
    origin: int
    horizon: int
    working_dates: I64  # proleptic ordinals of local dates that have working time

    _indexes: dict[str, BucketIndex] = field(default_factory=dict, compare=False, repr=False)
    _arrays: dict[str, I64] = field(default_factory=dict, compare=False, repr=False)

    @property
    def cum_end(self) -> I64:
        return self.cum + (self.closes - self.opens)

    @property
    def total(self) -> int:
        return int(self.cum_end[-1]) if self.cum.size else 0

    def padded(self) -> tuple[I64, I64, I64]:
        """Opens, lengths and cumulative time with a zero-length interval at the origin in
        front, so that every instant of the span has an interval at or before it."""
        if "padded_opens" not in self._indexes:
            self._arrays["opens"] = np.concatenate(([self.origin], self.opens))
            self._arrays["lengths"] = np.concatenate(([0], self.closes - self.opens))
            self._arrays["cum"] = np.concatenate(([0], self.cum))
            self._indexes["padded_opens"] = self.opens_index()
        return self._arrays["opens"], self._arrays["lengths"], self._arrays["cum"]

    def opens_index(self) -> BucketIndex:
        """Constant-time ``searchsorted(opens, t, "right")`` for instants in the span."""
        if "opens" not in self._indexes:
            self._indexes["opens"] = BucketIndex.build(self.opens, self.origin, self.horizon)
        return self._indexes["opens"]

    def positions_index(self) -> BucketIndex:
        """Constant-time ``searchsorted(cum_end, x, "right")`` for working-time positions."""
        if "cum_end" not in self._indexes:
            self._indexes["cum_end"] = BucketIndex.build(self.cum_end, 0, max(self.total, 1))
        return self._indexes["cum_end"]


def compile_calendar(spec: CalendarSpec, first_year: int, last_year: int) -> CompiledCalendar:
    """Compile ``spec`` for the local years ``first_year..last_year`` inclusive.

    The previous day is planned too, so that an overnight shift from 31 December reaches into
    the range. Instants outside ``[origin, horizon)`` are not covered by the result.
    """
    zone = spec.zone
    first = dt.date(first_year, 1, 1)
    last = dt.date(last_year, 12, 31)
    origin = wall_to_epoch(first, 0, zone)
    horizon = wall_to_epoch(last + dt.timedelta(days=1), 0, zone)
    walls = [
        (plan.date.toordinal(), shift.start, shift.end)
        for plan in plan_days(spec, first - dt.timedelta(days=1), last)
        for shift in plan.shifts
    ]
    table = np.array(walls, dtype=np.int64).reshape(-1, 3)
    both = walls_to_epochs(np.tile(table[:, 0], 2), table[:, 1:].T.ravel(), zone)
    s_arr, e_arr = both[: len(walls)], both[len(walls) :]
    day_of = table[:, 0]
    real = e_arr > s_arr  # a shift wholly inside a skipped hour has no time
    s_arr, e_arr, day_of = s_arr[real], e_arr[real], day_of[real]
    if spec.closures:
        # (A ∪ B) − C = (A − C) ∪ (B − C): cutting each shift first tells which dates keep time
        cut_s, cut_e = union(
            np.array([c.start for c in spec.closures], dtype=np.int64),
            np.array([c.end for c in spec.closures], dtype=np.int64),
        )
        s_arr, e_arr, kept = subtract(s_arr, e_arr, cut_s, cut_e)
        day_of = day_of[kept]
    working_dates = np.unique(day_of[day_of >= first.toordinal()])
    s_arr, e_arr = union(s_arr, e_arr)
    s_arr = np.clip(s_arr, origin, horizon)
    e_arr = np.clip(e_arr, origin, horizon)
    keep = e_arr > s_arr
    s_arr, e_arr = s_arr[keep], e_arr[keep]
    lengths = e_arr - s_arr
    cum = np.concatenate(([0], np.cumsum(lengths)[:-1])).astype(np.int64)
    return CompiledCalendar(
        spec=spec,
        first_year=first_year,
        last_year=last_year,
        opens=s_arr,
        closes=e_arr,
        cum=cum if lengths.size else np.zeros(0, dtype=np.int64),
        origin=origin,
        horizon=horizon,
        working_dates=working_dates.astype(np.int64),
    )
