"""Hand-checked business-time cases: DST, Golden Week and 调休, split and overnight shifts,
instants exactly on boundaries, zero budgets and multi-year spans."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from servicelevel.definitions.holiday_data import CountryHolidays
from servicelevel.engine.business_time import Calendar, NoWorkingTimeError
from servicelevel.engine.calendars import CalendarSpec, Closure, Shift, always_open

H = 3600
NY = "America/New_York"
BERLIN = "Europe/Berlin"
SHANGHAI = "Asia/Shanghai"


def t(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


def iso(epoch: int, zone: str) -> str:
    return dt.datetime.fromtimestamp(int(epoch), ZoneInfo(zone)).isoformat()


def weekdays(
    *shifts: tuple[int, int], weekend: tuple[Shift, ...] = ()
) -> tuple[tuple[Shift, ...], ...]:
    day = tuple(Shift(a, b) for a, b in shifts)
    return (day,) * 5 + (weekend, weekend)


def office(zone: str, *shifts: tuple[int, int], **kw: object) -> Calendar:
    return Calendar(CalendarSpec(zone, weekdays(*shifts), **kw))  # type: ignore[arg-type]


def beijing() -> Calendar:
    return office(
        SHANGHAI, (9 * H, 12 * H), (13 * H + 1800, 18 * H), holidays=CountryHolidays("CN")
    )


def elapsed(cal: Calendar, a: str, b: str) -> int:
    return int(cal.elapsed([t(a)], [t(b)])[0])


def deadline(cal: Calendar, start: str, seconds: int) -> str:
    return iso(cal.deadline([t(start)], [seconds])[0], cal.spec.timezone)


# -- daylight saving time ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (NY, "2025-03-09", 23),  # spring forward
        (NY, "2025-11-02", 25),  # fall back
        (BERLIN, "2025-03-30", 23),
        (BERLIN, "2025-10-26", 25),
    ],
)
def test_a_whole_dst_day_counts_its_real_hours(zone: str, day: str, hours: int) -> None:
    cal = Calendar(always_open(zone))
    z = ZoneInfo(zone)
    start = dt.datetime.fromisoformat(day).replace(tzinfo=z)
    end = start + dt.timedelta(days=1)  # wall-clock midnight to midnight
    got = cal.elapsed([int(start.timestamp())], [int(end.replace(tzinfo=z).timestamp())])[0]
    assert got == hours * H


def test_a_nine_to_six_shift_is_nine_real_hours_on_a_dst_day() -> None:
    cal = Calendar(CalendarSpec(NY, ((Shift(9 * H, 18 * H),),) * 7))
    assert elapsed(cal, "2025-03-09T00:00-05:00", "2025-03-10T00:00-04:00") == 9 * H
    assert elapsed(cal, "2025-11-02T00:00-04:00", "2025-11-03T00:00-05:00") == 9 * H


def test_a_shift_spanning_the_spring_jump_loses_an_hour() -> None:
    cal = Calendar(CalendarSpec(NY, ((Shift(1 * H, 4 * H),),) * 7))
    assert elapsed(cal, "2025-03-09T00:00-05:00", "2025-03-09T12:00-04:00") == 2 * H
    assert elapsed(cal, "2025-11-02T00:00-04:00", "2025-11-02T12:00-05:00") == 4 * H


def test_deadline_across_spring_forward_in_berlin() -> None:
    cal = Calendar(always_open(BERLIN))
    # 01:30 CET + 1 h of real time is 03:30 CEST (02:00–03:00 does not exist)
    assert deadline(cal, "2025-03-30T01:30+01:00", H) == "2025-03-30T03:30:00+02:00"


def test_deadline_across_fall_back_in_new_york() -> None:
    cal = Calendar(always_open(NY))
    # 01:30 EDT + 1 h is 01:30 EST, the repeated hour
    assert deadline(cal, "2025-11-02T01:30-04:00", H) == "2025-11-02T01:30:00-05:00"


# -- Chinese holidays and adjusted working days (调休) ----------------------------------


def test_golden_week_2025_is_off_and_its_adjusted_sunday_is_worked() -> None:
    cal = beijing()
    # Fri 26 Sep 09:00 → Mon 29 Sep 09:00: Friday's 7.5 h and the adjusted Sunday 28 Sep
    assert elapsed(cal, "2025-09-26T09:00+08:00", "2025-09-29T09:00+08:00") == 15 * H
    # 1–8 October are off, Saturday 11 October is worked
    assert elapsed(cal, "2025-10-01T00:00+08:00", "2025-10-09T00:00+08:00") == 0
    assert elapsed(cal, "2025-10-11T00:00+08:00", "2025-10-12T00:00+08:00") == int(7.5 * H)


def test_a_deadline_jumps_over_golden_week() -> None:
    cal = beijing()
    assert deadline(cal, "2025-09-30T17:00+08:00", 2 * H) == "2025-10-09T10:00:00+08:00"


def test_spring_festival_2024_with_both_adjusted_sundays() -> None:
    cal = beijing()
    assert elapsed(cal, "2024-02-04T00:00+08:00", "2024-02-05T00:00+08:00") == int(7.5 * H)
    assert elapsed(cal, "2024-02-10T00:00+08:00", "2024-02-18T00:00+08:00") == 0
    assert elapsed(cal, "2024-02-18T00:00+08:00", "2024-02-19T00:00+08:00") == int(7.5 * H)


def test_adjusted_days_can_be_switched_off() -> None:
    cal = office(
        SHANGHAI,
        (9 * H, 18 * H),
        holidays=CountryHolidays("CN", adjusted_working_days=False),
    )
    assert elapsed(cal, "2025-09-28T00:00+08:00", "2025-09-29T00:00+08:00") == 0


def test_china_working_days_agree_with_chinese_calendar_2020_to_2025() -> None:
    chinese_calendar = pytest.importorskip("chinese_calendar")
    source = CountryHolidays("CN")
    cal = Calendar(CalendarSpec(SHANGHAI, weekdays((0, 24 * H)), holidays=source))
    day = dt.date(2020, 1, 1)
    mismatches = []
    while day <= dt.date(2025, 12, 31):
        start = dt.datetime.combine(day, dt.time(), ZoneInfo(SHANGHAI))
        worked = cal.elapsed([int(start.timestamp())], [int(start.timestamp()) + 86_400])[0] > 0
        if worked != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    assert mismatches == []


# -- split and overnight shifts, closures ------------------------------------------------


def test_a_budget_ending_at_the_lunch_break_gives_the_afternoon_opening() -> None:
    cal = office(SHANGHAI, (9 * H, 12 * H), (13 * H + 1800, 18 * H))
    assert deadline(cal, "2025-03-03T09:00+08:00", 3 * H) == "2025-03-03T13:30:00+08:00"
    assert deadline(cal, "2025-03-03T09:00+08:00", 3 * H - 1) == "2025-03-03T11:59:59+08:00"


def test_a_budget_ending_at_closing_time_gives_the_next_morning() -> None:
    cal = office(NY, (8 * H, 17 * H))
    assert deadline(cal, "2025-03-07T16:00-05:00", H) == "2025-03-10T08:00:00-04:00"


def test_an_overnight_shift_belongs_to_the_day_it_starts() -> None:
    cal = office(BERLIN, (22 * H, 30 * H))  # Mon–Fri 22:00–06:00
    # Friday night runs into Saturday morning; Sunday night does not exist
    assert elapsed(cal, "2025-03-08T00:00+01:00", "2025-03-10T00:00+01:00") == 6 * H
    assert deadline(cal, "2025-03-07T23:00+01:00", 7 * H) == "2025-03-10T22:00:00+01:00"


def test_a_holiday_removes_the_overnight_shift_that_starts_on_it() -> None:
    cal = office(BERLIN, (22 * H, 30 * H), custom_holidays=frozenset({dt.date(2025, 3, 4)}))
    assert elapsed(cal, "2025-03-04T12:00+01:00", "2025-03-05T12:00+01:00") == 0


def test_a_closure_is_cut_out_of_working_time() -> None:
    closure = Closure(t("2025-03-04T10:00+08:00"), t("2025-03-04T11:00+08:00"))
    cal = office(SHANGHAI, (9 * H, 18 * H), closures=(closure,))
    assert elapsed(cal, "2025-03-04T09:00+08:00", "2025-03-04T18:00+08:00") == 8 * H
    assert deadline(cal, "2025-03-04T09:30+08:00", 1800) == "2025-03-04T11:00:00+08:00"


def test_extra_working_days_use_their_own_hours() -> None:
    sat = dt.date(2025, 3, 8)
    cal = office(SHANGHAI, (9 * H, 18 * H), extra_working_days={sat: (Shift(10 * H, 12 * H),)})
    assert elapsed(cal, "2025-03-08T00:00+08:00", "2025-03-09T00:00+08:00") == 2 * H


# -- boundaries, zero budgets, long spans -------------------------------------------------


def test_instants_exactly_on_boundaries_are_half_open() -> None:
    cal = office(SHANGHAI, (9 * H, 18 * H))
    opening, closing = t("2025-03-03T09:00+08:00"), t("2025-03-03T18:00+08:00")
    assert cal.is_working([opening, closing - 1, closing]).tolist() == [True, True, False]
    assert cal.next_opening([closing])[0] == t("2025-03-04T09:00+08:00")
    assert cal.next_opening([opening])[0] == opening


def test_a_zero_budget_is_due_at_once_inside_hours_and_at_the_opening_outside() -> None:
    cal = office(SHANGHAI, (9 * H, 18 * H))
    assert deadline(cal, "2025-03-03T10:00+08:00", 0) == "2025-03-03T10:00:00+08:00"
    assert deadline(cal, "2025-03-03T19:00+08:00", 0) == "2025-03-04T09:00:00+08:00"
    assert deadline(cal, "2025-03-03T18:00+08:00", 0) == "2025-03-04T09:00:00+08:00"


def test_seconds_are_kept() -> None:
    cal = office(SHANGHAI, (9 * H, 18 * H))
    assert elapsed(cal, "2025-03-03T09:00:01+08:00", "2025-03-03T09:00:59+08:00") == 58
    assert deadline(cal, "2025-03-03T17:59:30+08:00", 45) == "2025-03-04T09:00:15+08:00"


def test_elapsed_is_negative_backwards() -> None:
    cal = office(SHANGHAI, (9 * H, 18 * H))
    assert elapsed(cal, "2025-03-03T12:00+08:00", "2025-03-03T10:00+08:00") == -2 * H


def test_multi_year_spans() -> None:
    cal = Calendar(always_open("UTC"))
    assert elapsed(cal, "2020-01-01T00:00Z", "2030-01-01T00:00Z") == (365 * 10 + 3) * 86_400
    nyc = office(NY, (8 * H, 17 * H))
    # 2024 has 262 weekdays, 2025 has 261
    assert elapsed(nyc, "2024-01-01T00:00-05:00", "2026-01-01T00:00-05:00") == 523 * 9 * H
    assert deadline(nyc, "2024-01-01T00:00-05:00", 523 * 9 * H) == "2026-01-01T08:00:00-05:00"


def test_a_calendar_without_working_time_refuses_deadlines() -> None:
    cal = Calendar(CalendarSpec("UTC", ((),) * 7, name="never"))
    with pytest.raises(NoWorkingTimeError):
        cal.deadline([t("2025-01-01T00:00Z")], [H])


def test_business_days_keep_the_wall_clock_time() -> None:
    cal = beijing()
    due = cal.deadline_business_days(np.array([t("2025-09-29T10:00+08:00")]), 2)
    # Mon 29 Sep + 2 business days skips Golden Week: Thu 9 Oct, 10:00
    assert iso(due[0], SHANGHAI) == "2025-10-09T10:00:00+08:00"
    # from Saturday the count starts at Monday's opening
    due = cal.deadline_business_days(np.array([t("2025-03-08T11:00+08:00")]), 1)
    assert iso(due[0], SHANGHAI) == "2025-03-11T09:00:00+08:00"


def test_business_days_across_a_dst_change_keep_local_time() -> None:
    cal = office(NY, (8 * H, 17 * H))
    due = cal.deadline_business_days(np.array([t("2025-03-07T10:00-05:00")]), 1)
    assert iso(due[0], NY) == "2025-03-10T10:00:00-04:00"


def test_closed_spans_are_the_gaps_between_working_intervals() -> None:
    day = (Shift(9 * 3600, 18 * 3600),)
    cal = Calendar(CalendarSpec(timezone="UTC", week=(day,) * 5 + ((), ())))
    monday = int(dt.datetime(2026, 3, 2, tzinfo=dt.UTC).timestamp())
    h = 3600
    # Monday 10:00 to Tuesday 10:00: closed from 18:00 to 09:00
    night = [(monday + 18 * h, monday + 33 * h)]
    assert cal.closed_spans(monday + 10 * h, monday + 34 * h) == night
    # Friday 17:00 to Monday 10:00: the whole weekend
    friday = monday + 4 * 24 * h
    assert cal.closed_spans(friday + 17 * h, friday + 3 * 24 * h + 10 * h) == [
        (friday + 18 * h, friday + 3 * 24 * h + 9 * h)
    ]
    assert cal.closed_spans(monday + 10 * h, monday + 11 * h) == []
    assert cal.closed_spans(monday, monday + 9 * h) == [(monday, monday + 9 * h)]


# -- wall times skipped or repeated by DST (the shift starts at the jump) -----------------


def test_a_shift_starting_in_the_spring_gap_starts_at_the_jump() -> None:
    # 02:30 does not exist on 30 March 2025 in Berlin: the shift runs from 03:00 CEST
    cal = Calendar(CalendarSpec(BERLIN, ((Shift(int(2.5 * H), int(3.5 * H)),),) * 7))
    assert elapsed(cal, "2025-03-30T00:00+01:00", "2025-03-31T00:00+02:00") == 1800
    assert iso(cal.next_opening([t("2025-03-30T00:00+01:00")])[0], BERLIN) == (
        "2025-03-30T03:00:00+02:00"
    )
    assert cal.is_working([t("2025-03-30T03:00+02:00"), t("2025-03-30T03:30+02:00")]).tolist() == [
        True,
        False,
    ]
    assert elapsed(cal, "2025-03-29T00:00+01:00", "2025-03-30T00:00+01:00") == H  # a normal day


def test_a_shift_ending_in_the_spring_gap_ends_at_the_jump() -> None:
    # 01:00 CET to 02:30, which does not exist: it ends at 03:00 CEST, one real hour later
    cal = Calendar(CalendarSpec(BERLIN, ((Shift(1 * H, int(2.5 * H)),),) * 7))
    assert elapsed(cal, "2025-03-30T00:00+01:00", "2025-03-31T00:00+02:00") == H
    # its last second is 01:59:59 CET; a full hour runs out at the close: next day's opening
    assert deadline(cal, "2025-03-30T00:00+01:00", H - 1) == "2025-03-30T01:59:59+01:00"
    assert deadline(cal, "2025-03-30T00:00+01:00", H) == "2025-03-31T01:00:00+02:00"


def test_a_shift_wholly_inside_the_spring_gap_has_no_time_that_day() -> None:
    cal = Calendar(CalendarSpec(BERLIN, ((Shift(int(2.25 * H), int(2.75 * H)),),) * 7))
    assert elapsed(cal, "2025-03-30T00:00+01:00", "2025-03-31T00:00+02:00") == 0
    # so that Sunday is no business day: Saturday + 1bd is Monday at 02:15
    due = cal.deadline_business_days(np.array([t("2025-03-29T02:15+01:00")]), 1)
    assert iso(due[0], BERLIN) == "2025-03-31T02:15:00+02:00"


def test_a_shift_spanning_the_spring_jump_in_berlin_is_two_real_hours() -> None:
    cal = Calendar(CalendarSpec(BERLIN, ((Shift(1 * H, 4 * H),),) * 7))
    assert elapsed(cal, "2025-03-30T00:00+01:00", "2025-03-31T00:00+02:00") == 2 * H


def test_a_shift_in_the_repeated_autumn_hour_starts_at_its_first_occurrence() -> None:
    # 02:30 happens twice on 26 October 2025: the shift starts at 02:30 CEST (00:30 UTC) and
    # ends at 03:30 CET (02:30 UTC), two real hours
    cal = Calendar(CalendarSpec(BERLIN, ((Shift(int(2.5 * H), int(3.5 * H)),),) * 7))
    assert elapsed(cal, "2025-10-26T00:00+02:00", "2025-10-27T00:00+01:00") == 2 * H
    assert iso(cal.next_opening([t("2025-10-26T00:00+02:00")])[0], BERLIN) == (
        "2025-10-26T02:30:00+02:00"
    )


def test_a_half_hour_jump_on_lord_howe_island() -> None:
    # 5 October 2025, 02:00 LHST (+10:30) becomes 02:30 LHDT (+11): 02:10 does not exist
    zone = "Australia/Lord_Howe"
    cal = Calendar(CalendarSpec(zone, ((Shift(2 * H + 600, 3 * H),),) * 7))
    assert elapsed(cal, "2025-10-05T00:00+10:30", "2025-10-06T00:00+11:00") == 1800
    assert iso(cal.next_opening([t("2025-10-05T00:00+10:30")])[0], zone) == (
        "2025-10-05T02:30:00+11:00"
    )


def test_a_business_day_landing_in_the_spring_gap_is_due_at_the_jump() -> None:
    cal = Calendar(always_open(BERLIN))
    due = cal.deadline_business_days(np.array([t("2025-03-29T02:30+01:00")]), 1)
    assert iso(due[0], BERLIN) == "2025-03-30T03:00:00+02:00"


# -- business days are dates with working time --------------------------------------------


def summer_closure(**kw: object) -> Calendar:
    closure = Closure(t("2024-07-08T00:00+02:00"), t("2024-09-02T00:00+02:00"), "summer")
    return office(BERLIN, (9 * H, 17 * H), closures=(closure,), **kw)


def business_days(cal: Calendar, start: str, days: int) -> str:
    return iso(cal.deadline_business_days(np.array([t(start)]), days)[0], cal.spec.timezone)


def test_dates_closed_all_day_are_not_business_days() -> None:
    cal = summer_closure()
    # Friday 5 July 10:00; closed 8 July to 1 September: Monday 2 and Tuesday 3 September
    assert business_days(cal, "2024-07-05T10:00+02:00", 1) == "2024-09-02T10:00:00+02:00"
    assert business_days(cal, "2024-07-05T10:00+02:00", 2) == "2024-09-03T10:00:00+02:00"
    # never earlier than the working time two business days hold: 7 h Friday, 8 h Monday, 1 h
    assert deadline(cal, "2024-07-05T10:00+02:00", 16 * H) == "2024-09-03T10:00:00+02:00"


def test_a_closure_over_the_working_hours_of_a_day_removes_that_business_day() -> None:
    # Wednesday 9:00–17:00 closed, its night open: Wednesday has no working time
    closure = Closure(t("2025-03-05T09:00+01:00"), t("2025-03-05T17:00+01:00"))
    cal = office(BERLIN, (9 * H, 17 * H), closures=(closure,))
    assert business_days(cal, "2025-03-04T10:00+01:00", 1) == "2025-03-06T10:00:00+01:00"


def test_a_partly_closed_day_is_a_business_day_due_at_the_next_opening() -> None:
    closure = Closure(t("2025-03-05T09:00+01:00"), t("2025-03-05T12:00+01:00"))
    cal = office(BERLIN, (9 * H, 17 * H), closures=(closure,))
    assert business_days(cal, "2025-03-04T10:00+01:00", 1) == "2025-03-05T12:00:00+01:00"
    assert business_days(cal, "2025-03-04T10:00+01:00", 2) == "2025-03-06T10:00:00+01:00"


def test_weekends_holidays_and_extra_working_days_count_alike() -> None:
    cal = office(
        BERLIN,
        (9 * H, 17 * H),
        custom_holidays=frozenset({dt.date(2025, 3, 10)}),  # Monday
        extra_working_days={dt.date(2025, 3, 15): (Shift(10 * H, 12 * H),)},  # Saturday
    )
    # Friday 7 March + 1bd: the weekend and Monday's holiday are skipped
    assert business_days(cal, "2025-03-07T10:00+01:00", 1) == "2025-03-11T10:00:00+01:00"
    # Friday 14 March + 1bd is the extra working Saturday, 10:00
    assert business_days(cal, "2025-03-14T10:00+01:00", 1) == "2025-03-15T10:00:00+01:00"
    # at 15:00 that Saturday is closed: the next opening, Monday 09:00
    assert business_days(cal, "2025-03-14T15:00+01:00", 1) == "2025-03-17T09:00:00+01:00"


# -- calendars without working time --------------------------------------------------------


def test_a_calendar_without_working_time_says_so_at_once() -> None:
    cal = Calendar(CalendarSpec(BERLIN, ((),) * 7, name="never"))
    start = [t("2025-01-01T00:00Z")]
    no_time = "'never' has no working time:"
    with pytest.raises(NoWorkingTimeError, match=no_time):
        cal.deadline(start, [H])
    with pytest.raises(NoWorkingTimeError, match=no_time):
        cal.next_opening(start)
    with pytest.raises(NoWorkingTimeError, match=no_time):
        cal.deadline_business_days(np.array(start), 1)
    assert cal.compiled(2024, 2026).last_year < 2030  # nothing compiled centuries ahead
    assert cal.elapsed(start, [t("2026-01-01T00:00Z")])[0] == 0


def test_a_calendar_of_extra_working_days_only_runs_out_after_the_last() -> None:
    extra = {dt.date(2025, 3, 8): (Shift(10 * H, 12 * H),)}
    cal = Calendar(CalendarSpec(BERLIN, ((),) * 7, name="event", extra_working_days=extra))
    assert deadline(cal, "2025-03-01T00:00+01:00", H) == "2025-03-08T11:00:00+01:00"
    with pytest.raises(NoWorkingTimeError, match="'event' has no working time after 2025-03-08"):
        cal.deadline([t("2025-03-01T00:00+01:00")], [3 * H])


def test_asking_about_no_instants_leaves_the_compiled_years_as_they_were() -> None:
    cal = beijing()
    empty = np.zeros(0, dtype=np.int64)
    assert cal.elapsed(empty, empty).size == 0  # nothing compiled yet: nothing kept either
    assert elapsed(cal, "2025-03-03T09:00:00+08:00", "2025-03-03T10:00:00+08:00") == H
    assert cal.elapsed(empty, empty).size == 0  # no maintenance windows, say
    kept = cal.compiled(2025, 2025)
    assert (kept.first_year, kept.last_year) == (2024, 2026)
