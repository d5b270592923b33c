"""Calendar files: what they can say, and errors that name file, line and field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from servicelevel.definitions.calendars import load_calendar, parse_days, parse_shift
from servicelevel.definitions.source import DefinitionError
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import Shift

H = 3600
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "calendars"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cal.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shift_texts() -> None:
    assert parse_shift("09:00-18:00") == Shift(9 * H, 18 * H)
    assert parse_shift("22:00-06:00") == Shift(22 * H, 30 * H)
    assert parse_shift("00:00-24:00") == Shift(0, 24 * H)
    assert parse_shift("9:30:15 – 12:00") == Shift(9 * H + 1815, 12 * H)


def test_day_texts() -> None:
    assert parse_days("mon-fri") == [0, 1, 2, 3, 4]
    assert parse_days("sat,sun") == [5, 6]
    assert parse_days("fri-mon") == [4, 5, 6, 0]
    assert parse_days("daily") == list(range(7))


def test_the_example_calendars_load() -> None:
    for path in EXAMPLES.glob("*.yaml"):
        spec = load_calendar(path)
        assert Calendar(spec).elapsed([0], [86_400 * 365 * 56])[0] > 0


def test_a_full_calendar_file(tmp_path: Path) -> None:
    spec = load_calendar(
        write(
            tmp_path,
            """
name: Desk
timezone: Asia/Shanghai
hours:
  mon-fri: [09:00-12:00, 13:30-18:00]
  sat: 10:00-12:00
holidays: {country: cn}
workday_hours: 09:00-17:00
custom_holidays: [2025-03-05, {date: 2025-03-06, name: Team day}]
extra_working_days: [2025-03-09, {date: 2025-03-16, hours: 08:00-09:00}]
closures:
  - {start: 2025-03-03 09:00, end: 2025-03-03 10:00, reason: power}
""",
        )
    )
    cal = Calendar(spec)

    def day(d: str) -> int:
        start = int(dt.datetime.fromisoformat(f"{d}T00:00+08:00").timestamp())
        return int(cal.elapsed([start], [start + 86_400])[0])

    assert day("2025-03-03") == int(6.5 * H)  # closure
    assert day("2025-03-05") == 0  # custom holiday
    assert day("2025-03-08") == 2 * H  # Saturday hours
    assert day("2025-03-09") == 8 * H  # extra day with workday_hours
    assert day("2025-03-16") == H  # extra day with its own hours
    assert day("2025-09-28") == 8 * H  # 调休 Sunday worked with workday_hours


def test_24x7_as_hours_and_as_a_path(tmp_path: Path) -> None:
    spec = load_calendar(write(tmp_path, "timezone: Europe/Berlin\nhours: 24x7\n"))
    assert Calendar(spec).elapsed([0], [86_400])[0] == 86_400
    assert load_calendar("24x7").timezone == "UTC"


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("timezone: Mars/Olympus\nhours: 24x7\n", 1, "timezone", "unknown time zone"),
        ("timezone: UTC\nhours:\n  mon-fri: 9-5\n", 3, "hours.mon-fri", "cannot read shift"),
        ("timezone: UTC\nhours:\n  someday: 09:00-17:00\n", 3, "hours.someday", "cannot read days"),
        ("timezone: UTC\n", None, "hours", "say when"),
        ("hours: 24x7\nholidays: {country: XX}\n", 2, "holidays.country", "unknown country"),
        (
            "hours: 24x7\nholidays: {country: US, subdivision: ZZ}\n",
            2,
            "holidays.country",
            "unknown subdivision",
        ),
        ("hours: 24x7\ncustom_holidays: [2025-02-30]\n", 2, "custom_holidays.0.date", "date"),
        ("hours: 24x7\ncolour: blue\n", 2, "colour", "is not a key of this document"),
        (
            "hours: 24x7\nclosures: [{start: 2025-03-03 10:00, end: 2025-03-03 09:00}]\n",
            2,
            "closures.0.end",
            "end after",
        ),
        ("hours: [oops\n", 2, "", "invalid YAML"),
    ],
)
def test_errors_name_the_line_and_field(
    tmp_path: Path, text: str, line: int | None, field: str, words: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(DefinitionError) as caught:
        load_calendar(path)
    err = caught.value
    assert err.source == str(path)
    if line is not None:
        assert err.line == line
    assert err.field == field
    assert words in str(err)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="file not found"):
        load_calendar(tmp_path / "nope.yaml")


def test_holiday_ranges_and_yearly_holidays(tmp_path: Path) -> None:
    spec = load_calendar(
        write(
            tmp_path,
            "timezone: UTC\nhours: {mon-fri: 09:00-17:00}\n"
            "custom_holidays:\n"
            "  - {from: 2025-03-03, to: 2025-03-04, name: Company days}\n"
            "  - {yearly: 12-25, name: Christmas}\n",
        )
    )
    cal = Calendar(spec)

    def day(d: str) -> int:
        start = int(dt.datetime.fromisoformat(f"{d}T00:00+00:00").timestamp())
        return int(cal.elapsed([start], [start + 86_400])[0])

    assert [day("2025-03-03"), day("2025-03-04"), day("2025-03-05")] == [0, 0, 8 * H]
    assert [day("2024-12-25"), day("2026-12-25"), day("2026-12-24")] == [0, 0, 8 * H]


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("{yearly: 13-01}", "MM-DD"),
        ("{from: 2025-03-05, to: 2025-03-01}", "not before"),
        ("{date: 2025-03-05, yearly: 12-25}", "give a date"),
        ("{name: nothing}", "give a date"),
    ],
)
def test_bad_holiday_entries_say_why(tmp_path: Path, entry: str, words: str) -> None:
    path = write(tmp_path, f"hours: 24x7\ncustom_holidays:\n  - {entry}\n")
    with pytest.raises(DefinitionError) as caught:
        load_calendar(path)
    assert words in str(caught.value)
    assert caught.value.line == 3


def test_holiday_tables_read_from_the_cache_are_the_ones_the_package_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import holidays

    from servicelevel.definitions import holiday_data

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    package = holidays.country_holidays("CN", years=range(2024, 2027), categories=("public",))
    fresh = holiday_data.CountryHolidays("CN")
    cached = holiday_data.CountryHolidays("CN")  # a new object: reads the file the first wrote
    for source in (fresh, cached):
        assert source.names(2024, 2026) == dict(package.items())
        assert source.working_days(2024, 2026) == {
            d for d in package.weekend_workdays if 2024 <= d.year <= 2026
        }
    assert list(tmp_path.glob("servicelevel/holidays/*/CN--public-2024-2026.json"))


def test_an_unreadable_holiday_cache_is_ignored_and_rewritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from servicelevel.definitions import holiday_data

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    expected = holiday_data.CountryHolidays("US", "NY").days_off(2025, 2025)
    (stored,) = tmp_path.glob("servicelevel/holidays/*/US-NY-public-2025-2025.json")
    stored.write_text("{not json", encoding="utf-8")
    assert holiday_data.CountryHolidays("US", "NY").days_off(2025, 2025) == expected
    assert stored.read_text(encoding="utf-8").startswith("{")
    assert '"names"' in stored.read_text(encoding="utf-8")
