"""Business-time arithmetic over arrays of instants (UTC epoch seconds, int64).

The semantics (docs/clock-semantics.md):

* working intervals are half-open ``[open, close)``; time between ``a`` and ``b`` counts the real
  seconds of ``[a, b)`` that fall inside working intervals, so a DST day has its true length;
* ``deadline(start, d)`` is the *latest* instant by which no more than ``d`` seconds of working
  time have passed since ``start``. A budget that runs out exactly at a shift's end therefore gives
  the next opening, and a zero budget outside working hours gives the next opening. A clock that
  stops after the deadline has used more than ``d``: that is a breach.

Every function is a NumPy pass over the compiled intervals; a single instant is a batch of one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import ArrayLike

from servicelevel.engine.calendars import (
    I64,
    CalendarSpec,
    CompiledCalendar,
    compile_calendar,
    wall_to_epoch,
)

YEAR = 31_556_952  # mean Gregorian year in seconds, only for choosing what to compile
EPOCH_YEAR = 1970
MAX_SPAN_YEARS = 200


class NoWorkingTimeError(ValueError):
    """The calendar has no working time within the span that would be needed."""


def as_instants(values: ArrayLike) -> I64:
    """An int64 array of epoch seconds from any array-like of integers."""
    return np.asarray(values, dtype=np.int64)


def _year_of(epoch: int) -> int:
    return EPOCH_YEAR + epoch // YEAR


class Calendar:
    """A calendar ready for business-time arithmetic, compiled on demand for the years it meets.

    The compiled span only ever grows; results never depend on which span happened to be
    compiled, because every instant a computation touches is inside it.
    """

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._compiled: CompiledCalendar | None = None

    @property
    def name(self) -> str:
        return self.spec.name

    def compiled(self, first_year: int, last_year: int) -> CompiledCalendar:
        """The compiled intervals covering at least the local years given."""
        c = self._compiled
        if c is None or c.first_year > first_year or c.last_year < last_year:
            lo = first_year if c is None else min(first_year, c.first_year)
            hi = last_year if c is None else max(last_year, c.last_year)
            c = compile_calendar(self.spec, lo, hi)
            self._compiled = c
        return c

    def covering(self, *arrays: I64) -> CompiledCalendar:
        """The compiled intervals covering every instant in ``arrays`` with a year to spare.

        With no instants at all (no maintenance windows, say) any compiled span will do: the
        one at hand, else 1970 alone, not kept — keeping it would make the next span stretch
        from 1970 to the years asked for (58 years of days to plan, 0.4 s)."""
        if not any(a.size for a in arrays):
            return self._compiled or compile_calendar(self.spec, EPOCH_YEAR, EPOCH_YEAR)
        lo = min(int(a.min()) for a in arrays if a.size)
        hi = max(int(a.max()) for a in arrays if a.size)
        return self.compiled(_year_of(lo) - 1, _year_of(hi) + 1)

    # -- the cumulative function F and its inverse ---------------------------------------

    def at_position(self, c: CompiledCalendar, x: I64) -> I64:
        """The latest instant whose F (counted from ``c.origin``) is ``x``.

        Compiles further ahead when ``x`` lies beyond ``c``'s horizon; positions are re-based
        if the wider compilation starts earlier, so callers may keep using ``c``'s positions.
        """
        wider = c
        while x.size and int(x.max()) + position(wider, np.array([c.origin]))[0] >= wider.total:
            wider = self._extend(wider)
        if wider is not c:
            x = x + position(wider, np.array([c.origin], dtype=np.int64))[0]
        return _at_position(wider, x)

    def _extend(self, c: CompiledCalendar) -> CompiledCalendar:
        """Compile further ahead, or say why no further working time can be found."""
        spec, span = self.spec, c.last_year - c.first_year + 1
        called = f"calendar {self.name!r}" if self.name else "the calendar"
        if not spec.has_working_time():
            raise NoWorkingTimeError(
                f"{called} has no working time: no day of the week has working hours "
                "and no extra working day is set"
            )
        last = spec.last_working_date()
        if last is not None and c.last_year > last.year:
            after = _local_date(int(c.closes[-1]), spec) if c.closes.size else None
            raise NoWorkingTimeError(
                f"{called} has no working time after {after or last}: no day of the week has "
                "working hours, only extra working days"
            )
        if span >= MAX_SPAN_YEARS:
            raise NoWorkingTimeError(
                f"{called} has too little working time within {span} years for this budget"
            )
        return self.compiled(c.first_year, c.last_year + max(2, span))

    # -- the public operations ------------------------------------------------------------

    def elapsed(self, a: ArrayLike, b: ArrayLike) -> I64:
        """Working seconds in ``[a, b)``; negative when ``b`` is before ``a``."""
        a, b = as_instants(a), as_instants(b)
        c = self.covering(a, b)
        return position(c, b) - position(c, a)

    def deadline(self, start: ArrayLike, budget: ArrayLike) -> I64:
        """The latest instant by which no more than ``budget`` working seconds have passed."""
        start, budget = np.broadcast_arrays(as_instants(start), as_instants(budget))
        if budget.size and int(budget.min()) < 0:
            raise ValueError("a budget cannot be negative")
        c = self.covering(start)
        return self.at_position(c, position(c, start) + budget)

    def is_working(self, t: ArrayLike) -> np.ndarray:
        """Whether each instant lies inside a working interval."""
        t = as_instants(t)
        c = self.covering(t)
        i = np.searchsorted(c.opens, t, side="right") - 1
        safe = np.maximum(i, 0)
        return (i >= 0) & (t < c.closes[safe]) if c.opens.size else np.zeros(t.shape, bool)

    def next_opening(self, t: ArrayLike) -> I64:
        """The earliest working instant at or after ``t`` (``t`` itself while working)."""
        t = as_instants(t)
        c = self.covering(t)
        while True:
            i = np.searchsorted(c.closes, t, side="right")
            if not t.size or int(i.max()) < c.opens.size:
                break
            c = self._extend(c)
        return np.maximum(t, c.opens[i]) if t.size else t

    def closed_spans(self, a: int, b: int) -> list[tuple[int, int]]:
        """The spans of ``[a, b)`` outside working time (nights, weekends, holidays,
        closures), in order — what a running clock does not count."""
        if b <= a:
            return []
        c = self.covering(as_instants([a, b]))
        i = int(np.searchsorted(c.closes, a, side="right"))
        spans, t = [], a
        while t < b and i < c.opens.size:
            opens, closes = int(c.opens[i]), int(c.closes[i])
            if opens > t:
                spans.append((t, min(opens, b)))
            t, i = max(t, closes), i + 1
        if t < b:
            spans.append((t, b))
        return spans

    def deadline_business_days(self, start: ArrayLike, days: int) -> I64:
        """``days`` business days after ``start``: the same wall-clock time on the n-th
        business day after the date of the first working instant at or after ``start``. A
        business day is a local date with working time: weekends, holidays and dates closed
        all day are not counted.

        When that wall time is not working time on the target date (a shorter day, a closure),
        the result is the next opening after it, as for any budget that runs out outside hours.
        """
        if days < 0:
            raise ValueError("a number of business days cannot be negative")
        begin = self.next_opening(start)
        if days == 0:
            return begin
        zone = self.spec.zone
        targets = []
        for epoch in begin.tolist():
            local = dt.datetime.fromtimestamp(epoch, zone)
            target_day = self._nth_working_date_after(local.date(), days)
            wall = local.hour * 3600 + local.minute * 60 + local.second
            targets.append(wall_to_epoch(target_day, wall, zone))
        return self.next_opening(np.array(targets, dtype=np.int64).reshape(begin.shape))

    def _nth_working_date_after(self, day: dt.date, n: int) -> dt.date:
        c = self.compiled(day.year - 1, day.year + 1)
        while True:
            dates = c.working_dates
            i = int(np.searchsorted(dates, day.toordinal(), side="right")) + n - 1
            if i < dates.size:
                return dt.date.fromordinal(int(dates[i]))
            c = self._extend(c)


def _local_date(epoch: int, spec: CalendarSpec) -> dt.date:
    """The local date of the last working second before ``epoch``."""
    return dt.datetime.fromtimestamp(epoch - 1, spec.zone).date()


def position(c: CompiledCalendar, t: I64) -> I64:
    """F(t): working seconds in ``[c.origin, t)``, constant outside working intervals."""
    if not c.opens.size or not t.size:
        return np.zeros(t.shape, dtype=np.int64)
    if int(t.min()) < c.origin:
        raise ValueError("instant before the compiled span")  # covering() prevents this
    opens, lengths, cum = c.padded()
    i = c.opens_index().right(t)  # index into the padded arrays: 0 is the origin sentinel
    f: I64 = cum[i] + np.minimum(t - opens[i], lengths[i])
    return f


def _at_position(c: CompiledCalendar, x: I64) -> I64:
    if not c.opens.size:
        raise NoWorkingTimeError(f"calendar {c.spec.name!r} has no working time")
    i = c.positions_index().right(x)
    return c.opens[i] + (x - c.cum[i])
