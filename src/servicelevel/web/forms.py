"""Reading what people type into forms, where pages share it."""

from __future__ import annotations

from servicelevel.services.errors import Invalid


def percentage(text: str, field: str) -> float:
    """``95``, ``99.5%`` → a fraction; anything else is an error on ``field``."""
    try:
        return float(text.rstrip("%").strip()) / 100
    except ValueError:
        raise Invalid("write the objective as a percentage, e.g. 99.5", field) from None
