"""Public holidays and adjusted working days from the `holidays` package.

`holidays` (the "Open World Holidays Framework") is maintained by a community that follows the
official announcements; for China it carries the State Council's yearly notice (国务院办公厅关于
节假日安排的通知): the days off, including substituted ones, and the weekend days declared
working days (调休上班), from 2001 on. The notice for a year appears around November of the
year before, and a `holidays` release follows; ``pip install -U holidays`` brings it in (see
docs/calendars.md). Until then a calendar knows only the rule-based dates for that year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

import holidays


class UnknownRegionError(ValueError):
    """The country or subdivision is not one the `holidays` package knows."""


@cache
def supported() -> dict[str, list[str]]:
    """Country codes and their subdivisions."""
    return dict(holidays.list_supported_countries())


def check_region(country: str, subdivision: str | None) -> None:
    known = supported()
    if country not in known:
        raise UnknownRegionError(
            f"unknown country {country!r}: use an ISO 3166-1 alpha-2 code such as CN, HK, TW, "
            "US, GB or DE (`slm calendar countries` lists them all)"
        )
    if subdivision is not None and subdivision not in known[country]:
        listed = ", ".join(known[country][:30]) or "none"
        raise UnknownRegionError(
            f"unknown subdivision {subdivision!r} of {country}: known ones are {listed}"
        )


@dataclass(frozen=True)
class CountryHolidays:
    """A :class:`~servicelevel.engine.calendars.HolidaySource` backed by `holidays`."""

    country: str
    subdivision: str | None = None
    categories: tuple[str, ...] = ("public",)
    adjusted_working_days: bool = True
    _cache: dict[tuple[int, int], holidays.HolidayBase] = field(
        default_factory=dict, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        check_region(self.country, self.subdivision)

    def _table(self, first_year: int, last_year: int) -> holidays.HolidayBase:
        key = (first_year, last_year)
        if key not in self._cache:
            self._cache[key] = holidays.country_holidays(
                self.country,
                subdiv=self.subdivision,
                years=range(first_year, last_year + 1),
                categories=self.categories,
            )
        return self._cache[key]

    def days_off(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        return frozenset(self._table(first_year, last_year).keys())

    def working_days(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        if not self.adjusted_working_days:
            return frozenset()
        table = self._table(first_year, last_year)
        days: set[dt.date] = set(getattr(table, "weekend_workdays", ()))
        return frozenset(d for d in days if first_year <= d.year <= last_year)

    def names(self, first_year: int, last_year: int) -> dict[dt.date, str]:
        """Holiday names, for showing a calendar to a person."""
        return dict(self._table(first_year, last_year).items())
