from __future__ import annotations

import pytest

from servicelevel.engine.durations import Duration, DurationError, format_seconds, parse_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("4h", 14_400),
        ("2d 3h", 2 * 86_400 + 3 * 3600),
        ("90m", 5400),
        ("1h30m", 5400),
        ("1.5h", 5400),
        ("45s", 45),
        ("1w", 7 * 86_400),
        ("PT8H", 28_800),
        ("P1DT2H30M", 86_400 + 9000),
        ("0m", 0),
    ],
)
def test_durations_in_working_time(text: str, seconds: int) -> None:
    assert parse_duration(text) == Duration(seconds=seconds)


def test_business_days_are_their_own_unit() -> None:
    assert parse_duration("2bd") == Duration(business_days=2)
    assert str(parse_duration("3 bd")) == "3bd"


@pytest.mark.parametrize("text", ["", "4", "4 hours", "h4", "2bd 3h", "1.5bd", "P", "0.5s"])
def test_unreadable_durations_say_why(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


def test_format_seconds() -> None:
    assert format_seconds(30_600) == "8h 30m"
    assert format_seconds(0) == "0s"
    assert format_seconds(-90) == "-1m 30s"
    assert format_seconds(90_061) == "1d 1h 1m 1s"


def test_a_target_allows_at_most_24855_days_the_longest_a_measurement_can_hold() -> None:
    assert parse_duration("24855d").seconds == 24_855 * 86_400 < 2**31 - 1
    assert parse_duration("24855bd").business_days == 24_855
    for text in ("24856d", "30000d", "24856bd", "3600w"):
        with pytest.raises(DurationError, match="at most 24,855 days"):
            parse_duration(text)
    with pytest.raises(DurationError):
        Duration(seconds=2**31 - 1)
    with pytest.raises(DurationError):
        Duration(seconds=-1)
