"""Reading and writing instants: ISO 8601 with an offset, or local time in a given zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.UTC


def parse_instant(text: str, zone: ZoneInfo | None = None) -> int:
    """Epoch seconds of an ISO 8601 instant.

    With an offset (``2025-03-09T09:00:00-04:00``, ``…Z``) the text is exact. Without one it is
    wall-clock time in ``zone`` (fold=0 for a repeated or skipped hour); without a zone too it is
    an error, because guessing a zone silently moves deadlines.
    """
    raw = str(text).strip()
    if raw.endswith(("Z", "z")):
        raw = raw[:-1] + "+00:00"
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise ValueError(
            f"cannot read instant {text!r}: use ISO 8601, e.g. 2025-03-09T09:00:00+08:00"
        ) from None
    if value.tzinfo is None:
        if zone is None:
            raise ValueError(f"instant {text!r} has no UTC offset; add one, e.g. +08:00 or Z")
        value = value.replace(tzinfo=zone)
    return int(value.timestamp())


def format_instant(epoch: int, zone: ZoneInfo | None = None) -> str:
    """ISO 8601 with the zone's offset (UTC when no zone is given)."""
    return dt.datetime.fromtimestamp(int(epoch), zone or UTC).isoformat()
