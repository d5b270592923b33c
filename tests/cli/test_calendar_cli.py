"""``slm calendar`` as a person types it."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from servicelevel.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
BEIJING = str(ROOT / "examples" / "calendars" / "beijing-office.yaml")
runner = CliRunner()


def slm(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_elapsed_in_text_and_json() -> None:
    code, out, _ = slm(
        "calendar",
        "elapsed",
        "--calendar",
        BEIJING,
        "2025-03-03T08:00:00+08:00",
        "2025-03-04T10:00:00+08:00",
    )
    assert code == 0
    assert out.strip() == "8h 30m (30600 seconds)"
    code, out, _ = slm(
        "calendar",
        "elapsed",
        "-c",
        BEIJING,
        "2025-03-03T08:00",
        "2025-03-04T10:00",
        "--format",
        "json",
    )
    assert json.loads(out) == {"seconds": 30_600, "text": "8h 30m"}


def test_deadline_over_golden_week() -> None:
    code, out, _ = slm("calendar", "deadline", "-c", BEIJING, "2025-09-30T17:00:00+08:00", "2h")
    assert code == 0
    assert out.strip() == "2025-10-09T10:00:00+08:00"


def test_deadline_in_business_days_and_another_zone() -> None:
    code, out, _ = slm(
        "calendar", "deadline", "-c", BEIJING, "2025-09-29T10:00+08:00", "2bd", "--tz", "UTC"
    )
    assert code == 0
    assert out.strip() == "2025-10-09T02:00:00+00:00"


def test_deadline_on_the_builtin_24x7_calendar() -> None:
    code, out, _ = slm("calendar", "deadline", "-c", "24x7", "2025-03-01T00:00:00Z", "2d 3h")
    assert out.strip() == "2025-03-03T03:00:00+00:00"
    assert code == 0


def test_mistakes_are_one_line_without_traceback(tmp_path: Path) -> None:
    cases = [
        (("calendar", "deadline", "-c", BEIJING, "2025-03-03T09:00", "4 hours"), "cannot read"),
        (("calendar", "elapsed", "-c", BEIJING, "yesterday", "2025-03-03T09:00"), "ISO 8601"),
        (("calendar", "elapsed", "-c", str(tmp_path / "x.yaml"), "2025", "2025"), "not found"),
        (
            ("calendar", "deadline", "-c", BEIJING, "2025-03-03T09:00", "1h", "--tz", "X/Y"),
            "unknown time zone",
        ),
    ]
    for args, words in cases:
        code, out, err = slm(*args)
        assert code == 2, args
        assert words in err
        assert "Traceback" not in err + out


def test_show_marks_holidays_and_adjusted_days() -> None:
    code, out, _ = slm("calendar", "show", "-c", BEIJING, "--year", "2025", "--month", "9")
    assert code == 0
    assert "2025-09-28" in out
    assert "调休" in out


def test_countries_lists_china() -> None:
    code, out, _ = slm("calendar", "countries")
    assert code == 0
    assert "CN" in out


def test_deadline_on_a_calendar_without_working_time_says_so(tmp_path: Path) -> None:
    never = tmp_path / "never.yaml"
    never.write_text("name: never\ntimezone: Europe/Berlin\nhours: {}\n", encoding="utf-8")
    code, out, err = slm("calendar", "deadline", "-c", str(never), "2025-01-06T10:00", "4h")
    assert (code, out) == (2, "")
    assert "calendar 'never' has no working time" in " ".join(err.split())
    code, _, err = slm("calendar", "deadline", "-c", str(never), "2025-01-06T10:00", "1bd")
    assert code == 2
    assert "has no working time" in " ".join(err.split())


def test_business_days_skip_dates_closed_all_day(tmp_path: Path) -> None:
    summer = tmp_path / "summer.yaml"
    summer.write_text(
        "timezone: Europe/Berlin\nhours: {mon-fri: '09:00-17:00'}\nclosures:\n"
        "  - {start: '2024-07-08T00:00', end: '2024-09-02T00:00', reason: summer}\n",
        encoding="utf-8",
    )
    days = [
        slm("calendar", "deadline", "-c", str(summer), "2024-07-05T10:00", n)[1].strip()
        for n in ("1bd", "2bd")
    ]
    assert days == ["2024-09-02T10:00:00+02:00", "2024-09-03T10:00:00+02:00"]
