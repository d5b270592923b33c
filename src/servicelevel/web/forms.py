"""Reading what people type into forms, where pages share it."""

from __future__ import annotations

import datetime as dt

from servicelevel.services.shared.errors import Invalid


def percentage(text: str, field: str) -> float:
    """``95``, ``99.5%`` → a fraction; anything else is an error on ``field``."""
    try:
        return float(text.rstrip("%").strip()) / 100
    except ValueError:
        raise Invalid("write the objective as a percentage, e.g. 99.5", field) from None


def day(text: str, field: str) -> dt.date | None:
    """``2026-04-07`` → a date; empty → ``None``; anything else is an error on ``field``."""
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("write the date as 2026-04-07", field) from None
