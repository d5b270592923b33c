"""The calendar file format (docs/formats.md#calendars) → :class:`CalendarSpec`.

```yaml
name: Beijing office
timezone: Asia/Shanghai
hours:                       # or: hours: 24x7
  mon-fri: [09:00-12:00, 13:30-18:00]
  sat: 10:00-14:00
holidays: {country: CN}      # public holidays and 调休 working days from the `holidays` package
custom_holidays: [2025-12-31, {from: 2026-02-16, to: 2026-02-18}, {yearly: 12-25}]
extra_working_days: [{date: 2025-12-27, hours: [09:00-12:00]}]
closures: [{start: 2025-03-01 14:00, end: 2025-03-01 18:00, reason: power work}]
```
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from servicelevel.definitions.holiday_data import CountryHolidays, UnknownRegionError
from servicelevel.definitions.instants import parse_instant
from servicelevel.definitions.source import Localized, Located, read_yaml
from servicelevel.engine.calendars import WEEKDAYS, CalendarSpec, Closure, Shift, always_open

_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?"
_SHIFT = re.compile(rf"^\s*{_TIME}\s*[-–~]\s*{_TIME}\s*$")
ALWAYS = {"24x7", "24/7", "always"}
_DAY_ALIASES = {"daily": "mon-sun", "weekdays": "mon-fri", "weekend": "sat-sun"}


def parse_shift(text: str) -> Shift:
    """``09:00-18:00``; ``22:00-06:00`` runs overnight; ``00:00-24:00`` is the whole day."""
    m = _SHIFT.match(str(text))
    if not m:
        raise ValueError(f"cannot read shift {text!r}: write it as HH:MM-HH:MM, e.g. 09:00-18:00")
    h1, m1, s1, h2, m2, s2 = (int(x) if x else 0 for x in m.groups())
    start, end = h1 * 3600 + m1 * 60 + s1, h2 * 3600 + m2 * 60 + s2
    if h1 > 23 or m1 > 59 or s1 > 59 or m2 > 59 or s2 > 59 or end > 86_400:
        raise ValueError(f"shift {text!r} has a time that does not exist")
    if end <= start:
        end += 86_400  # overnight
    return Shift(start, end)


def format_shift(shift: Shift) -> str:
    """The inverse of :func:`parse_shift`: ``09:00–18:00`` (seconds shown only when set)."""
    return f"{_clock(shift.start)}–{_clock(shift.end)}"


def _clock(seconds: int) -> str:
    h, rest = divmod(seconds, 3600)
    return f"{h:02d}:{rest // 60:02d}" + (f":{rest % 60:02d}" if rest % 60 else "")


def parse_days(key: str) -> list[int]:
    """``mon``, ``mon-fri``, ``sat,sun``, ``daily``, ``weekdays`` → weekday numbers."""
    out: list[int] = []
    for part in _DAY_ALIASES.get(key.strip().lower(), key).lower().split(","):
        ends = [p.strip()[:3] for p in part.split("-")]
        if len(ends) > 2 or any(e not in WEEKDAYS for e in ends):
            raise ValueError(f"cannot read days {key!r}: use mon..sun, ranges like mon-fri, lists")
        a, b = WEEKDAYS.index(ends[0]), WEEKDAYS.index(ends[-1])
        out.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return out


def _shifts(value: Any) -> tuple[Shift, ...]:
    items = value if isinstance(value, list) else [] if value in (None, "") else [value]
    return tuple(sorted(parse_shift(str(v)) for v in items))


class HolidaysModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str
    subdivision: str | None = None
    categories: list[str] = ["public"]
    adjusted_working_days: bool = True

    @field_validator("country")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()


class DatedEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    date: dt.date
    name: str = ""
    hours: Any = None


class HolidayEntry(BaseModel):
    """A custom holiday: one ``date``, a ``from``–``to`` range (inclusive) or ``yearly: MM-DD``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date: dt.date | None = None
    from_: dt.date | None = Field(default=None, alias="from")
    to: dt.date | None = None
    yearly: str | None = None
    name: str = ""

    @model_validator(mode="after")
    def _one_form(self) -> HolidayEntry:
        forms = [
            self.date is not None,
            self.from_ is not None or self.to is not None,
            self.yearly is not None,
        ]
        if sum(forms) != 1:
            raise ValueError("give a date, a from/to range or yearly: MM-DD")
        if forms[1] and (self.from_ is None or self.to is None or self.to < self.from_):
            raise ValueError("a holiday range needs from and to, with to not before from")
        if self.yearly is not None:
            month_day(self.yearly)
        return self

    def dates(self) -> list[dt.date]:
        if self.date is not None:
            return [self.date]
        if self.from_ is not None and self.to is not None:
            days = (self.to - self.from_).days
            return [self.from_ + dt.timedelta(days=k) for k in range(days + 1)]
        return []


def month_day(text: str) -> tuple[int, int]:
    """``12-25`` → (12, 25); 02-29 is allowed (it then falls only in leap years)."""
    try:
        month, day = (int(x) for x in str(text).split("-"))
        dt.date(2000, month, day)
    except ValueError:
        raise ValueError(f"yearly holiday {text!r}: write it as MM-DD, e.g. 12-25") from None
    return month, day


class ClosureModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: str
    end: str
    reason: str = ""


class CalendarModel(BaseModel):
    """The schema of a calendar file."""

    model_config = ConfigDict(extra="forbid")
    name: str = ""
    timezone: str = "UTC"
    hours: Any = Field(default=None)
    workday_hours: Any = None
    holidays: HolidaysModel | None = None
    custom_holidays: list[HolidayEntry] = []
    extra_working_days: list[DatedEntry] = []
    closures: list[ClosureModel] = []
    description: Localized = ""

    @field_validator("custom_holidays", "extra_working_days", mode="before")
    @classmethod
    def _dates(cls, v: Any) -> Any:
        """A bare date is short for ``{date: …}``."""
        if isinstance(v, list):
            return [x if isinstance(x, dict) else {"date": x} for x in v]
        return v

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {v!r}: use an IANA name such as Asia/Shanghai"
            ) from None
        return v


def _week(doc: Located, hours: Any) -> tuple[tuple[Shift, ...], ...]:
    if hours is None:
        raise doc.error(("hours",), "say when the service is staffed, e.g. mon-fri: 09:00-18:00")
    if not isinstance(hours, dict):
        raise doc.error(("hours",), "give a mapping of days to shifts, or 24x7")
    week: list[list[Shift]] = [[] for _ in range(7)]
    for key, value in hours.items():
        try:
            days, shifts = parse_days(key), _shifts(value)
        except ValueError as exc:
            raise doc.error(("hours", key), str(exc)) from None
        for d in days:
            week[d].extend(shifts)
    return tuple(tuple(sorted(day)) for day in week)


def calendar_from_document(doc: Located, default_name: str = "") -> CalendarSpec:
    """Build a spec from a parsed calendar document."""
    model = doc.validate(CalendarModel)
    name = model.name or default_name
    if isinstance(model.hours, str) and model.hours.strip().lower() in ALWAYS:
        week = always_open(model.timezone).week
    else:
        week = _week(doc, model.hours)
    source = None
    if model.holidays is not None:
        h = model.holidays
        try:
            source = CountryHolidays(
                h.country, h.subdivision, tuple(h.categories), h.adjusted_working_days
            )
        except (UnknownRegionError, NotImplementedError, ValueError) as exc:
            raise doc.error(("holidays", "country"), str(exc)) from None
    extra: dict[dt.date, tuple[Shift, ...]] = {}
    substitute = _optional_shifts(doc, model.workday_hours, ("workday_hours",))
    for i, entry in enumerate(model.extra_working_days):
        hours = _optional_shifts(doc, entry.hours, ("extra_working_days", i, "hours"))
        extra[entry.date] = hours or ()  # empty: filled below with the workday hours
    zone = ZoneInfo(model.timezone)
    closures = []
    for i, c in enumerate(model.closures):
        try:
            start = parse_instant(c.start, zone)
            end = parse_instant(c.end, zone)
        except ValueError as exc:
            raise doc.error(("closures", i), str(exc)) from None
        if end <= start:
            raise doc.error(("closures", i, "end"), "a closure must end after it starts")
        closures.append(Closure(start, end, c.reason))
    spec = CalendarSpec(
        timezone=model.timezone,
        week=week,
        name=name,
        holidays=source,
        custom_holidays=frozenset(d for e in model.custom_holidays for d in e.dates()),
        yearly_holidays=frozenset(
            month_day(e.yearly) for e in model.custom_holidays if e.yearly is not None
        ),
        closures=tuple(closures),
        substitute_shifts=substitute,
    )
    workday = spec.workday_shifts()
    filled = {d: s if s else workday for d, s in extra.items()}
    return replace(spec, extra_working_days=filled)


def _optional_shifts(
    doc: Located, value: Any, path: tuple[str | int, ...]
) -> tuple[Shift, ...] | None:
    if value is None:
        return None
    try:
        return _shifts(value)
    except ValueError as exc:
        raise doc.error(path, str(exc)) from None


def load_calendar(path: str | Path) -> CalendarSpec:
    """Read a calendar file (``24x7`` as a path means the built-in 24×7 UTC calendar)."""
    if str(path).strip().lower() in ALWAYS:
        return always_open()
    return calendar_from_document(read_yaml(path), Path(path).stem)
