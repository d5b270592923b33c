"""Reporting periods in a time zone: months, quarters, years, ISO weeks and custom spans.

A period is half-open ``[start, end)`` in UTC epoch seconds, with its boundaries at local
midnight in the reporting time zone (a month in Asia/Shanghai starts at 16:00 UTC the day before).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_SPAN = re.compile(r"^(\d{4}-\d{2}-\d{2})\s*(?:\.\.|/)\s*(\d{4}-\d{2}-\d{2})$")


class PeriodError(ValueError):
    """A period text that cannot be read."""


@dataclass(frozen=True)
class Period:
    """A labelled span of local dates ``[first, last_exclusive)`` in ``timezone``."""

    label: str
    kind: str  # month, quarter, year, week, custom
    first: dt.date
    end_date: dt.date  # exclusive
    timezone: str

    @property
    def start(self) -> int:
        return _midnight(self.first, self.timezone)

    @property
    def end(self) -> int:
        return _midnight(self.end_date, self.timezone)

    @property
    def months(self) -> float:
        """Length in months (whole for calendar periods), for scaling monthly fees."""
        whole = {"month": 1.0, "quarter": 3.0, "year": 12.0}.get(self.kind)
        if whole is not None:
            return whole
        return (self.end_date - self.first).days / (365.2425 / 12)

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        if self.kind == "month":
            day = self.first - dt.timedelta(days=1)
            return month(day.year, day.month, self.timezone)
        if self.kind == "quarter":
            day = self.first - dt.timedelta(days=1)
            return quarter(day.year, (day.month - 1) // 3 + 1, self.timezone)
        if self.kind == "year":
            return year(self.first.year - 1, self.timezone)
        length = self.end_date - self.first
        return _custom(self.first - length, self.first, self.timezone, self.kind)

    def trailing(self, count: int) -> list[Period]:
        """This period and the ``count - 1`` before it, oldest first."""
        out = [self]
        while len(out) < count:
            out.append(out[-1].previous())
        return out[::-1]


def _midnight(day: dt.date, timezone: str) -> int:
    return int(dt.datetime.combine(day, dt.time(), ZoneInfo(timezone)).timestamp())


def month(y: int, m: int, timezone: str) -> Period:
    first = dt.date(y, m, 1)
    end = dt.date(y + (m == 12), m % 12 + 1, 1)
    return Period(f"{y:04d}-{m:02d}", "month", first, end, timezone)


def quarter(y: int, q: int, timezone: str) -> Period:
    first = dt.date(y, 3 * q - 2, 1)
    end = dt.date(y + (q == 4), (3 * q) % 12 + 1, 1)
    return Period(f"{y:04d}-Q{q}", "quarter", first, end, timezone)


def year(y: int, timezone: str) -> Period:
    return Period(f"{y:04d}", "year", dt.date(y, 1, 1), dt.date(y + 1, 1, 1), timezone)


def _custom(first: dt.date, end: dt.date, timezone: str, kind: str = "custom") -> Period:
    label = f"{first.isoformat()}..{(end - dt.timedelta(days=1)).isoformat()}"
    return Period(label, kind, first, end, timezone)


def parse_period(text: str, timezone: str) -> Period:
    """``2025-03``, ``2025-Q1``, ``2025``, ``2025-W10`` or ``2025-03-01..2025-03-15``
    (both dates included)."""
    raw = text.strip()
    try:
        if m := _MONTH.match(raw):
            return month(int(m[1]), int(m[2]), timezone)
        if m := _QUARTER.match(raw):
            return quarter(int(m[1]), int(m[2]), timezone)
        if m := _YEAR.match(raw):
            return year(int(m[1]), timezone)
        if m := _WEEK.match(raw):
            first = dt.date.fromisocalendar(int(m[1]), int(m[2]), 1)
            return Period(raw.upper(), "week", first, first + dt.timedelta(days=7), timezone)
        if m := _SPAN.match(raw):
            first, last = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
            if last < first:
                raise PeriodError(f"period {raw!r} ends before it starts")
            return _custom(first, last + dt.timedelta(days=1), timezone)
    except ValueError as exc:
        if isinstance(exc, PeriodError):
            raise
        raise PeriodError(f"period {raw!r}: {exc}") from None
    raise PeriodError(
        f"cannot read period {raw!r}: use 2025-03, 2025-Q1, 2025, 2025-W10 "
        "or 2025-03-01..2025-03-15"
    )
