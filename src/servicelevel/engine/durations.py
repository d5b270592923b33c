"""Durations of working time: ``4h``, ``2d 3h``, ``90m``, ``1h30m``, ``PT8H``, ``2bd``.

Units ``w``, ``d``, ``h``, ``m``, ``s`` are fixed amounts of *working time*: a day is 24 working
hours, as in ServiceNow's SLA durations, so ``1d`` on a 9-hour calendar spans about three working
days. ``bd`` counts *business days* instead (``2bd``: the same wall-clock time two business days
later, see :meth:`Calendar.deadline_business_days`); it cannot be mixed with the other units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = {"w": 7 * 86_400, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
# The longest duration a clock measures: 2**31 - 1 seconds (68 years), so that times used and
# paused fit the 32 bits the measurements keep them in, and a budget can always be exceeded.
LONGEST = 2**31 - 1
_TOKEN = re.compile(r"(\d+(?:\.\d+)?)\s*(bd|w|d|h|m|s)", re.IGNORECASE)
_ISO = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?"
    r"(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


class DurationError(ValueError):
    """A duration text that cannot be read."""


class BusinessDaysError(DurationError):
    """Business days given as a fraction or mixed with other units."""


class TooLongError(DurationError):
    """Longer than a clock can measure (:data:`LONGEST`)."""


@dataclass(frozen=True)
class Duration:
    """Either ``seconds`` of working time or a whole number of ``business_days``."""

    seconds: int = 0
    business_days: int | None = None

    def __post_init__(self) -> None:
        days = self.business_days or 0
        if not (0 <= self.seconds < LONGEST and 0 <= days <= LONGEST // 86_400):
            raise TooLongError(f"{self} is longer than a target may allow: at most 24,855 days")

    @property
    def is_business_days(self) -> bool:
        return self.business_days is not None

    def __str__(self) -> str:
        if self.business_days is not None:
            return f"{self.business_days}bd"
        return format_seconds(self.seconds)


def parse_duration(text: str) -> Duration:
    """Read a duration; raises :class:`DurationError` naming what is wrong."""
    raw = text.strip()
    if not raw:
        raise DurationError("empty duration")
    iso = _ISO.match(raw)
    if iso and raw.upper() not in ("P", "PT"):
        parts = {k: float(v) for k, v in iso.groupdict().items() if v}
        seconds = sum(parts.get(u, 0.0) * UNITS[u] for u in ("d", "h", "m", "s"))
        return Duration(seconds=_whole(seconds, raw))
    return _parse_units(raw)


def _parse_units(raw: str) -> Duration:
    pos = 0
    seconds = 0.0
    business_days: float | None = None
    compact = raw.replace(" ", "")
    for match in _TOKEN.finditer(compact):
        if match.start() != pos:
            break
        pos = match.end()
        value, unit = float(match.group(1)), match.group(2).lower()
        if unit == "bd":
            business_days = (business_days or 0.0) + value
        else:
            seconds += value * UNITS[unit]
    if pos != len(compact) or pos == 0:
        raise DurationError(
            f"cannot read duration {raw!r}: use units w, d, h, m, s (e.g. '2d 3h', '90m'), "
            "'bd' for business days, or ISO 8601 (e.g. 'PT4H')"
        )
    if business_days is not None:
        if seconds or business_days != int(business_days):
            raise BusinessDaysError(f"{raw!r}: business days are whole and cannot mix with hours")
        return Duration(business_days=int(business_days))
    return Duration(seconds=_whole(seconds, raw))


def _whole(seconds: float, raw: str) -> int:
    if seconds != int(seconds):
        raise DurationError(f"{raw!r} is not a whole number of seconds")
    return int(seconds)


def format_seconds(seconds: int) -> str:
    """``30600`` → ``'8h 30m'``; zero is ``'0s'``; negative values keep their sign."""
    sign = "-" if seconds < 0 else ""
    rest = abs(int(seconds))
    parts = []
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    return sign + (" ".join(parts) if parts else "0s")
