"""Public holidays and adjusted working days from the `holidays` package.

`holidays` (the "Open World Holidays Framework") is maintained by a community that follows the
official announcements; for China it carries the State Council's yearly notice (国务院办公厅关于
节假日安排的通知): the days off, including substituted ones, and the weekend days declared
working days (调休上班), from 2001 on. The notice for a year appears around November of the
year before, and a `holidays` release follows; ``pip install -U holidays`` brings it in (see
docs/calendars.md). Until then a calendar knows only the rule-based dates for that year.

Importing `holidays` costs ~0.2 s (its package imports all ~250 countries whichever one is
asked for), more than the rest of a calendar command. So the tables a calendar needs, and the
list of supported countries, are kept in the user's cache directory (``$XDG_CACHE_HOME`` or
``~/.cache``, under ``servicelevel/holidays``), keyed by the installed package's location, its
version file and the modification time of its ``__init__.py``: upgrading `holidays` changes
the key, so a cached table is never older than the package it came from. A cache that cannot
be read or written is simply not used.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


class UnknownRegionError(ValueError):
    """The country or subdivision is not one the `holidays` package knows."""


@cache
def _fingerprint() -> str:
    """Names the installed `holidays` without importing it (see the module docstring)."""
    spec = importlib.util.find_spec("holidays")
    if spec is None or spec.origin is None:
        return "missing"
    init = Path(spec.origin)
    version = init.with_name("version.py")
    parts = [str(init), str(init.stat().st_mtime_ns)]
    parts.append(version.read_text(encoding="utf-8") if version.exists() else "")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def _cache_file(name: str) -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "servicelevel" / "holidays" / _fingerprint() / f"{name}.json"


def _cached(name: str) -> Any:
    """The cached JSON value, or None when there is none (or it cannot be read)."""
    try:
        return json.loads(_cache_file(name).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _store(name: str, value: object) -> None:
    """Writes atomically (a reader never sees half a file); a failure only loses the cache."""
    try:
        path = _cache_file(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        partial.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        os.replace(partial, path)
    except OSError:
        return


@cache
def supported() -> dict[str, list[str]]:
    """Country codes and their subdivisions."""
    known = _cached("supported")
    if isinstance(known, dict):
        return {str(code): [str(s) for s in subs] for code, subs in known.items()}
    import holidays

    result = {code: list(subs) for code, subs in holidays.list_supported_countries().items()}
    _store("supported", result)
    return result


@dataclass(frozen=True)
class _Table:
    """What a calendar reads of one `holidays` table: the days off by name, the working weekends."""

    names: dict[dt.date, str]
    weekend_workdays: frozenset[dt.date]


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
    _cache: dict[tuple[int, int], _Table] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        check_region(self.country, self.subdivision)

    def _table(self, first_year: int, last_year: int) -> _Table:
        key = (first_year, last_year)
        if key not in self._cache:
            self._cache[key] = self._load(first_year, last_year)
        return self._cache[key]

    def _load(self, first_year: int, last_year: int) -> _Table:
        """From the disk cache, else from `holidays` (then stored for the next process)."""
        region = f"{self.country}-{self.subdivision or ''}-{'+'.join(self.categories)}"
        name = f"{region}-{first_year}-{last_year}"
        stored = _cached(name)
        if isinstance(stored, dict):
            return _Table(
                {dt.date.fromisoformat(d): str(n) for d, n in stored["names"].items()},
                frozenset(dt.date.fromisoformat(d) for d in stored["weekend_workdays"]),
            )
        import holidays

        table = holidays.country_holidays(
            self.country,
            subdiv=self.subdivision,
            years=range(first_year, last_year + 1),
            categories=self.categories,
        )
        result = _Table(dict(table.items()), frozenset(getattr(table, "weekend_workdays", ())))
        _store(
            name,
            {
                "names": {d.isoformat(): n for d, n in result.names.items()},
                "weekend_workdays": sorted(d.isoformat() for d in result.weekend_workdays),
            },
        )
        return result

    def days_off(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        return frozenset(self._table(first_year, last_year).names)

    def working_days(self, first_year: int, last_year: int) -> frozenset[dt.date]:
        if not self.adjusted_working_days:
            return frozenset()
        days = self._table(first_year, last_year).weekend_workdays
        return frozenset(d for d in days if first_year <= d.year <= last_year)

    def names(self, first_year: int, last_year: int) -> dict[dt.date, str]:
        """Holiday names, for showing a calendar to a person."""
        return dict(self._table(first_year, last_year).names)
