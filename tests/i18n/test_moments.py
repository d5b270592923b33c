"""The one way instants and days are written for people: per language, in the reader's zone."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from servicelevel.i18n import moments

UTC = dt.UTC
MEETING = dt.datetime(2026, 7, 7, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai, 04:00 in Berlin
NNBSP = "\u202f"  # CLDR keeps "10:00{NNBSP}AM" on one line with a narrow no-break space


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", f"Jul 7, 2026, 10:00{NNBSP}AM"),
        ("zh_Hans", "2026年7月7日 10:00"),
        ("zh_Hant", "2026年7月7日 上午10:00"),
    ],
)
def test_an_instant_reads_in_the_style_of_each_language(locale: str, expected: str) -> None:
    assert moments.moment(MEETING, locale, "Asia/Shanghai") == expected


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", f"Jul 7, 2026, 10:00{NNBSP}AM (Shanghai time)"),
        ("zh_Hans", "2026年7月7日 10:00（上海时间）"),
        ("zh_Hant", "2026年7月7日 上午10:00（上海時間）"),
    ],
)
def test_a_named_instant_says_its_zone_in_the_readers_language(locale: str, expected: str) -> None:
    assert moments.named(MEETING, locale, "Asia/Shanghai") == expected


def test_utc_is_named_as_such_not_as_an_unknown_region() -> None:
    assert moments.named(MEETING, "en", "UTC") == f"Jul 7, 2026, 2:00{NNBSP}AM (UTC)"
    assert moments.named(MEETING, "zh_Hans", "Etc/UTC") == "2026年7月7日 02:00（协调世界时）"
    assert moments.zone_name("Etc/UTC", "zh_Hant") == "世界標準時間"


def test_the_same_wall_clock_moves_with_the_berlin_summer_time_jump() -> None:
    before = dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    after = dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST: 02:00–03:00 never happens
    assert moments.moment(before, "zh_Hans", "Europe/Berlin") == "2026年3月29日 01:30"
    assert moments.moment(after, "zh_Hans", "Europe/Berlin") == "2026年3月29日 03:30"
    assert moments.clock(after, "en", "Europe/Berlin") == f"3:30{NNBSP}AM"


def test_the_autumn_hour_that_happens_twice_reads_twice_the_same_and_differs_by_offset() -> None:
    first = dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    assert moments.moment(first, "en", "Europe/Berlin") == moments.moment(
        second, "en", "Europe/Berlin"
    )
    assert moments.offset("Europe/Berlin", "en", first) == "GMT+02:00"
    assert moments.offset("Europe/Berlin", "en", second) == "GMT+01:00"


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en", "Jan 1, 2026"), ("zh_Hans", "2026年1月1日"), ("zh_Hant", "2026年1月1日")],
)
def test_a_date_only_value_never_shows_a_time(locale: str, expected: str) -> None:
    assert moments.day(dt.date(2026, 1, 1), locale) == expected
    assert moments.moment(dt.date(2026, 1, 1), locale, "Asia/Taipei") == expected
    assert "午夜" not in moments.moment(dt.date(2026, 1, 1), locale, "Asia/Taipei")


def test_the_day_of_an_instant_is_the_day_in_the_readers_zone() -> None:
    late = dt.datetime(2026, 7, 6, 18, 0, tzinfo=UTC)  # already the 7th in Shanghai
    assert moments.day(late, "en", "Asia/Shanghai") == "Jul 7, 2026"
    assert moments.day(late, "en", "America/New_York") == "Jul 6, 2026"


def test_an_agreement_bound_instant_also_shows_the_agreements_zone_when_it_differs() -> None:
    both = moments.bound(MEETING, "en", "Europe/Berlin", "Asia/Shanghai")
    assert (
        both
        == f"Jul 7, 2026, 4:00{NNBSP}AM (Berlin time) · Jul 7, 2026, 10:00{NNBSP}AM (Shanghai time)"
    )
    alone = moments.bound(MEETING, "en", "Asia/Shanghai", "Asia/Shanghai")
    assert alone == f"Jul 7, 2026, 10:00{NNBSP}AM (Shanghai time)"


def test_naive_values_from_sqlite_are_read_as_utc() -> None:
    naive = MEETING.replace(tzinfo=None)
    assert moments.moment(naive, "en", "Asia/Shanghai") == f"Jul 7, 2026, 10:00{NNBSP}AM"


def test_no_value_and_an_unknown_zone_never_fail_a_page() -> None:
    assert moments.moment(None, "en", "Asia/Shanghai") == "—"
    assert moments.moment(MEETING, "en", "Mars/Olympus") == f"Jul 7, 2026, 2:00{NNBSP}AM"


def test_the_readers_zone_is_their_choice_else_their_browsers_else_utc() -> None:
    assert moments.reader_zone("Asia/Shanghai", "Europe/Berlin") == "Asia/Shanghai"
    assert moments.reader_zone("UTC", "Europe/Berlin") == "Europe/Berlin"  # never chose
    assert moments.reader_zone("Etc/UTC", "Europe/Berlin") == "Etc/UTC"  # chose UTC itself
    assert moments.reader_zone("UTC", "Not/AZone") == "UTC"
    assert moments.reader_zone(None, None) == "UTC"


def test_the_zone_picker_groups_canonical_zones_by_region_with_words_in_the_language() -> None:
    groups = dict(moments.zone_choices("zh_Hans", MEETING))
    assert list(groups)[:3] == ["协调世界时", "亚洲", "欧洲"]
    asia = dict(groups["亚洲"])
    assert asia["Asia/Shanghai"] == "上海 (GMT+08:00)"
    assert "Asia/Chongqing" not in asia  # an alias of Shanghai is not offered twice
    labels = [label for choices in groups.values() for _, label in choices]
    assert len(labels) == len(set(labels))
    assert not any("Unknown" in label or "未知" in label for label in labels)


def test_the_zone_a_page_is_in_is_named_as_a_reader_says_it() -> None:
    assert moments.zone_label("Asia/Shanghai", "en") == "Shanghai time"
    assert moments.zone_label("Asia/Shanghai", "zh_Hans") == "上海时间"
    assert moments.zone_label("Europe/Berlin", "zh_Hant") == "柏林時間"
    assert moments.zone_label("Etc/UTC", "en") == "UTC"


def test_days_kept_as_iso_text_in_stored_figures_read_as_days() -> None:
    assert moments.day("2026-05-15", "zh_Hant") == "2026年5月15日"
    assert moments.day("2026-07-06T18:00:00+00:00", "en", "Asia/Shanghai") == "Jul 7, 2026"
    assert moments.day("", "en") == "—"


def test_instants_kept_as_iso_text_read_like_any_other() -> None:
    assert moments.moment("2026-07-07T02:00:00+00:00", "zh_Hans", "Asia/Shanghai") == (
        "2026年7月7日 10:00"
    )
    assert moments.named("", "en", "UTC") == "—"


def test_a_charts_day_labels_read_in_the_language() -> None:
    assert moments.short_day(dt.date(2026, 12, 3), "en") == "Dec 3"
    assert moments.short_day(dt.date(2026, 12, 3), "zh_Hant") == "12月3日"


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_the_chinese_zone_picker_has_no_english_city_names(locale: str) -> None:
    labels = [label for _, items in moments.zone_choices(locale, MEETING) for _, label in items]
    assert len(labels) > 300
    assert [x for x in labels if re.search("[A-Za-z]", x.replace("GMT", ""))] == []
