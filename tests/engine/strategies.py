"""Hypothesis strategies: random calendars (shared by engine and reference) and instants."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hypothesis import strategies as st

from servicelevel.engine.calendars import CalendarSpec, Closure, Shift
from tests.engine.reference import RefCalendar

UTC = dt.UTC
ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Shanghai",
    "Australia/Lord_Howe",  # 30-minute DST
    "Asia/Kolkata",
    "America/St_Johns",
    "Pacific/Chatham",
    "Australia/Sydney",
    "Europe/London",
]
LO = dt.datetime(2024, 1, 1, tzinfo=UTC)
HI = dt.datetime(2026, 12, 1, tzinfo=UTC)
# Instants near DST transitions are where calendars go wrong, so draw them often.
DST_DAYS = [
    dt.datetime(2025, 3, 9, 7, tzinfo=UTC),
    dt.datetime(2025, 11, 2, 6, tzinfo=UTC),
    dt.datetime(2025, 3, 30, 1, tzinfo=UTC),
    dt.datetime(2025, 10, 26, 1, tzinfo=UTC),
    dt.datetime(2025, 4, 5, 15, tzinfo=UTC),
    dt.datetime(2025, 10, 4, 16, tzinfo=UTC),
]


@dataclass(frozen=True)
class FixedHolidays:
    """A holiday source with fixed dates, standing in for a country's data in tests."""

    off: frozenset[dt.date]
    working: frozenset[dt.date]

    def days_off(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        return self.off

    def working_days(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        return self.working


@dataclass(frozen=True)
class CalendarPair:
    spec: CalendarSpec
    ref: RefCalendar


def shift_lists(max_shifts: int = 3) -> st.SearchStrategy[list[tuple[int, int]]]:
    granular = st.one_of(
        st.integers(0, 86_399),
        st.integers(0, 95).map(lambda q: q * 900),
    )
    lengths = st.one_of(st.integers(1, 86_400), st.integers(1, 48).map(lambda q: q * 1800))
    one = st.tuples(granular, lengths).map(lambda p: (p[0], p[0] + p[1]))
    return st.lists(one, max_size=max_shifts)


def dates() -> st.SearchStrategy[dt.date]:
    return st.dates(dt.date(2023, 12, 1), dt.date(2027, 1, 31))


def instants() -> st.SearchStrategy[dt.datetime]:
    anywhere = st.integers(int(LO.timestamp()), int(HI.timestamp()))
    near_dst = st.tuples(st.sampled_from(DST_DAYS), st.integers(-3 * 86_400, 3 * 86_400)).map(
        lambda p: int(p[0].timestamp()) + p[1]
    )
    return st.one_of(anywhere, near_dst).map(lambda s: dt.datetime.fromtimestamp(s, UTC))


@st.composite
def calendars(draw: st.DrawFn) -> CalendarPair:
    tz = draw(st.sampled_from(ZONES))
    if draw(st.booleans()):
        office = draw(shift_lists())
        weekend = draw(st.one_of(st.just([]), shift_lists(1)))
        week = [office] * 5 + [weekend, weekend]
    else:
        week = [draw(shift_lists()) for _ in range(7)]
    holidays = draw(st.sets(dates(), max_size=12))
    adjusted = draw(st.sets(dates(), max_size=4))
    custom = draw(st.sets(dates(), max_size=4))
    yearly = draw(st.sets(dates().map(lambda d: (d.month, d.day)), max_size=2))
    extra = draw(st.dictionaries(dates(), shift_lists(2), max_size=3))
    closures = draw(st.lists(st.tuples(instants(), st.integers(1, 5 * 86_400)), max_size=3))
    substitute = draw(shift_lists(2))
    spec = CalendarSpec(
        timezone=tz,
        week=tuple(tuple(Shift(*s) for s in day) for day in week),
        name="random",
        holidays=FixedHolidays(frozenset(holidays), frozenset(adjusted)),
        custom_holidays=frozenset(custom),
        yearly_holidays=frozenset(yearly),
        extra_working_days={d: tuple(Shift(*s) for s in v) for d, v in extra.items()},
        closures=tuple(Closure(int(s.timestamp()), int(s.timestamp()) + n) for s, n in closures),
        substitute_shifts=tuple(Shift(*s) for s in substitute),
    )
    ref = RefCalendar(
        timezone=tz,
        week=week,
        holidays=set(holidays),
        adjusted=set(adjusted),
        custom_holidays=set(custom),
        yearly=set(yearly),
        extra=dict(extra),
        closures=[(s, s + dt.timedelta(seconds=n)) for s, n in closures],
        substitute=substitute,
    )
    return CalendarPair(spec, ref)


def has_work(pair: CalendarPair, budget: int = 0) -> bool:
    """Whether ``budget`` fits in about ten weeks of the weekly pattern, so that the reference
    (which looks three years ahead at most) finds every deadline."""
    weekly = sum(end - start for day in pair.ref.week for start, end in day)
    return weekly > 0 and weekly * 10 > budget


DST_ZONES = [
    "America/New_York",
    "Europe/Berlin",
    "Europe/London",
    "Australia/Lord_Howe",  # a 30-minute jump
    "Australia/Sydney",
    "America/St_Johns",
]


@st.composite
def night_calendars(draw: st.DrawFn) -> CalendarPair:
    """Calendars whose shifts start and end in the small hours, where the clocks jump: many
    of them start or end in a spring-forward gap or in a repeated fall-back hour."""
    tz = draw(st.sampled_from(DST_ZONES))
    one = st.tuples(st.integers(0, 4 * 3600), st.integers(1, 4 * 3600)).map(
        lambda p: (p[0], p[0] + p[1])
    )
    day = draw(st.lists(one, min_size=1, max_size=2))
    closures = draw(st.lists(st.tuples(instants(), st.integers(1, 3 * 86_400)), max_size=2))
    spec = CalendarSpec(
        timezone=tz,
        week=(tuple(Shift(*s) for s in day),) * 7,
        name="night",
        closures=tuple(Closure(int(s.timestamp()), int(s.timestamp()) + n) for s, n in closures),
    )
    ref = RefCalendar(
        timezone=tz,
        week=[day] * 7,
        closures=[(s, s + dt.timedelta(seconds=n)) for s, n in closures],
    )
    return CalendarPair(spec, ref)


def near_dst() -> st.SearchStrategy[dt.datetime]:
    """Instants within two days of a DST change."""
    return st.tuples(st.sampled_from(DST_DAYS), st.integers(-2 * 86_400, 2 * 86_400)).map(
        lambda p: p[0] + dt.timedelta(seconds=p[1])
    )
