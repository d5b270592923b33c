"""Wall-clock times converted many at once (``walls_to_epochs``, used to compile calendars)
give the instants the one-at-a-time conversion gives: through spring-forward gaps, repeated
autumn hours, half-hour and negative daylight saving, a skipped day and zones with several
changes a year."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from servicelevel.engine.calendars import DAY, wall_to_epoch, walls_to_epochs

ZONES = (
    "UTC",
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",  # half an hour of daylight saving
    "Europe/Dublin",  # "negative" daylight saving in tzdata
    "Africa/Casablanca",  # changes around Ramadan: four a year
    "Pacific/Apia",  # skipped 30 December 2011 altogether
    "America/St_Johns",
    "Antarctica/Troll",  # two hours of daylight saving
)
FIRST, LAST = dt.date(2005, 1, 1).toordinal(), dt.date(2030, 12, 31).toordinal()


def one_at_a_time(days: list[int], seconds: list[int], zone: ZoneInfo) -> list[int]:
    return [
        wall_to_epoch(dt.date.fromordinal(d), s, zone) for d, s in zip(days, seconds, strict=True)
    ]


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    walls=st.lists(
        st.tuples(st.integers(FIRST, LAST), st.integers(0, 2 * DAY)), min_size=1, max_size=40
    ),
)
def test_many_wall_times_convert_as_each_does_alone(
    zone: str, walls: list[tuple[int, int]]
) -> None:
    days, seconds = [d for d, _ in walls], [s for _, s in walls]
    many = walls_to_epochs(np.array(days), np.array(seconds), ZoneInfo(zone))
    assert many.tolist() == one_at_a_time(days, seconds, ZoneInfo(zone))


def every_quarter_hour_of(day: dt.date) -> tuple[list[int], list[int]]:
    seconds = list(range(0, 2 * DAY, 900))
    return [day.toordinal()] * len(seconds), seconds


def test_every_quarter_hour_around_the_changes_converts_as_each_does_alone() -> None:
    nights = [
        ("Europe/Berlin", dt.date(2025, 3, 30)),  # 02:00–03:00 skipped
        ("Europe/Berlin", dt.date(2025, 10, 26)),  # 02:00–03:00 twice
        ("America/New_York", dt.date(2025, 3, 9)),
        ("America/New_York", dt.date(2025, 11, 2)),
        ("Australia/Lord_Howe", dt.date(2025, 4, 6)),  # half an hour back
        ("Pacific/Apia", dt.date(2011, 12, 29)),  # the next day never happened
        ("Africa/Casablanca", dt.date(2025, 2, 23)),
    ]
    for zone, day in nights:
        days, seconds = every_quarter_hour_of(day)
        many = walls_to_epochs(np.array(days), np.array(seconds), ZoneInfo(zone))
        assert many.tolist() == one_at_a_time(days, seconds, ZoneInfo(zone)), (zone, day)


def test_a_skipped_wall_time_becomes_the_jump_and_a_repeated_one_its_first_occurrence() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    spring, autumn = dt.date(2025, 3, 30).toordinal(), dt.date(2025, 10, 26).toordinal()
    got = walls_to_epochs(np.array([spring, autumn]), np.array([9000, 9000]), berlin)  # 02:30
    assert got.tolist() == [
        int(dt.datetime(2025, 3, 30, 1, tzinfo=dt.UTC).timestamp()),  # 03:00 CEST
        int(dt.datetime(2025, 10, 26, 0, 30, tzinfo=dt.UTC).timestamp()),  # 02:30 CEST
    ]


def test_no_wall_times_give_no_instants() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert walls_to_epochs(empty, empty, ZoneInfo("Asia/Shanghai")).size == 0


def test_every_day_of_a_year_converts_as_each_does_alone_in_every_zone() -> None:
    for year in (2011, 2025):
        first = dt.date(year, 1, 1).toordinal()
        days = [d for d in range(first, first + 366) for _ in (0, 1)]
        seconds = [s for _ in range(366) for s in (9000, 43200)]  # 02:30 and 12:00
        for zone in ZONES:
            many = walls_to_epochs(np.array(days), np.array(seconds), ZoneInfo(zone))
            assert many.tolist() == one_at_a_time(days, seconds, ZoneInfo(zone)), (zone, year)
