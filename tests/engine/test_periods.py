from __future__ import annotations

import datetime as dt

import pytest

from servicelevel.engine.periods import PeriodError, parse_period


def test_a_month_starts_at_local_midnight() -> None:
    p = parse_period("2025-03", "Asia/Shanghai")
    assert p.start == int(dt.datetime(2025, 2, 28, 16, tzinfo=dt.UTC).timestamp())
    assert p.end == int(dt.datetime(2025, 3, 31, 16, tzinfo=dt.UTC).timestamp())
    assert p.months == 1


def test_quarters_years_weeks_and_spans() -> None:
    assert parse_period("2025-Q4", "UTC").end_date == dt.date(2026, 1, 1)
    assert parse_period("2024", "UTC").months == 12
    w = parse_period("2025-W10", "UTC")
    assert (w.first, w.end_date) == (dt.date(2025, 3, 3), dt.date(2025, 3, 10))
    s = parse_period("2025-03-01..2025-03-15", "UTC")
    assert (s.first, s.end_date) == (dt.date(2025, 3, 1), dt.date(2025, 3, 16))


def test_trailing_periods_run_oldest_first() -> None:
    labels = [p.label for p in parse_period("2025-02", "UTC").trailing(4)]
    assert labels == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert [p.label for p in parse_period("2025-Q1", "UTC").trailing(2)] == ["2024-Q4", "2025-Q1"]


@pytest.mark.parametrize("text", ["2025-13", "March", "2025-03-15..2025-03-01", "2025-Q5"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(PeriodError):
        parse_period(text, "UTC")
