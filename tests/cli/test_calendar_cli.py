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
