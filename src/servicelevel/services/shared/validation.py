"""Checks shared by every use case that takes input from people: text present, no NULs, short
enough; a known time zone; a user that exists — each failure an :class:`Invalid` naming the
field."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from servicelevel.db.models import User
from servicelevel.db.models.catalog import METRICS
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.engine.durations import (
    BusinessDaysError,
    Duration,
    DurationError,
    TooLongError,
    parse_duration,
)
from servicelevel.services.shared.errors import Invalid

LANGUAGES = ("en", "zh-Hans", "zh-Hant")
# A code is what URLs, files and other systems use to name a record: no spaces or punctuation
# that would need quoting (``hr-portal``, ``SLA-CONTOSO-2026``, ``it_support.eu``).
CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
UNREADABLE = (
    "{value} is not a duration: write a number and a unit (w, d, h, m, s), e.g. 4h, 2d 3h or "
    "90m; bd for business days (2bd); or ISO 8601 (PT4H)"
)
MIXED = "{value}: business days are whole and are not mixed with other units"
TOO_LONG = "{value} is longer than a target may allow: at most 24,855 days"


def text(value: Any, field: str, *, required: bool = False, limit: int = 2000) -> str:
    """``value`` as stripped text, or an error naming ``field``."""
    if not isinstance(value, str):
        raise Invalid("{name} must be text", field, name=field)
    if "\x00" in value:
        raise Invalid("text cannot contain NUL characters", field)
    cleaned: str = value.strip()
    if required and not cleaned:
        raise Invalid("{name} is required", field, name=field)
    if len(cleaned) > limit:
        raise Invalid("{name} is longer than {limit} characters", field, name=field, limit=limit)
    return cleaned


def code(value: Any, field: str, *, limit: int = 64) -> str:
    """``value`` as a code: required, letters and digits with ``.``, ``-`` or ``_`` between
    them — a service called "HR Portal!" gets a code such as ``hr-portal``."""
    cleaned = text(value, field, required=True, limit=limit)
    if not CODE.fullmatch(cleaned):
        raise Invalid(
            "a code has letters, digits, dots, hyphens and underscores only, without spaces "
            "(e.g. hr-portal): {value} is not one",
            field,
            value=cleaned,
        )
    return cleaned


def duration(value: str, field: str) -> Duration:
    """A duration such as ``4h``, or one error naming ``field`` that says how to write one
    (the engine's own wording is not repeated after it)."""
    try:
        return parse_duration(value)
    except BusinessDaysError:
        raise Invalid(MIXED, field, value=value) from None
    except TooLongError:
        raise Invalid(TOO_LONG, field, value=value) from None
    except DurationError:
        raise Invalid(UNREADABLE, field, value=value) from None


def translations(value: Any, field: str, *, limit: int = 2000) -> dict[str, str]:
    """A mapping of language code → text (empty texts dropped), e.g. ``{"zh-Hans": "邮件"}``."""
    if not isinstance(value, dict):
        raise Invalid("{name} maps language codes to text", field, name=field)
    out: dict[str, str] = {}
    for code, item in value.items():
        if code not in LANGUAGES:
            raise Invalid(
                "{name}: unknown language {code}; use en, zh-Hans or zh-Hant",
                field,
                name=field,
                code=code,
            )
        cleaned = text(item, f"{field}.{code}", limit=limit)
        if cleaned:
            out[code] = cleaned
    return out


def promise(
    metric: Any, objective: Any, priority: Any, within: Any, where: str
) -> tuple[str, float, str, str]:
    """A service level promise — offered in the catalog or requested by a customer — checked
    and normalised: ``(metric, objective, priority, within)``; a mistake names ``where.field``."""
    if metric not in METRICS:
        raise Invalid("metric must be one of response, resolution, availability", f"{where}.metric")
    if isinstance(objective, bool) or not isinstance(objective, int | float):
        raise Invalid("an objective is a fraction such as 0.95", f"{where}.objective")
    if not 0 < objective <= 1:
        raise Invalid("an objective is a fraction above 0 and at most 1", f"{where}.objective")
    budget = text(within, f"{where}.within", limit=40)
    if metric == "availability" and budget:
        raise Invalid("an availability target has no time budget", f"{where}.within")
    if metric != "availability":
        if not budget:
            raise Invalid("a time budget such as 4h is required", f"{where}.within")
        budget = str(duration(budget, f"{where}.within"))
    return metric, float(objective), text(priority, f"{where}.priority", limit=40), budget


def known_user(session: Session, user_id: int | None, field: str) -> User | None:
    """The user ``user_id`` names (``None`` when none is named); an unknown id is an error."""
    if user_id is None:
        return None
    user = identity_repo.user_by_id(session, user_id)
    if user is None:
        raise Invalid("no user {id}", field, id=user_id)
    return user


def time_zone(name: str, field: str = "timezone") -> str:
    """An IANA time zone name, or an error naming the field."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("unknown time zone {zone}", field, zone=name) from None
    return name
