"""A changed field's values in the reader's words: what the diff page shows side by side and
what the API gives beside the raw values (``before_text``, ``after_text``), so the two never
disagree.

Each value comes with its kind (see
:data:`servicelevel.services.agreements.diff_clauses.ITEM_FIELDS`): a duration reads ``4 h``
(``4 小时``), a share ``95%``, a condition ``Priority is P1``, a clock's rules ``Clock pauses on:
Awaiting Customer``, a list with the reader's separators (``、`` and ``；`` in Chinese). No value
is a dash. Pure: the value and a translator are given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from servicelevel.i18n import Translator, conditions, figures, moments
from servicelevel.i18n.durations import within
from servicelevel.i18n.ticket_words import word_for

NONE = "—"
# A clock's rules in the order a person reads them, each by its words (en msgids).
RULES = (
    ("start", "Clock starts on"),
    ("pause", "Clock pauses on"),
    ("stop", "Clock stops on"),
    ("cancel", "Clock is cancelled on"),
)
REVIEWS = {
    "monthly": "Monthly",
    "quarterly": "Quarterly",
    "half_yearly": "Half-yearly",
    "yearly": "Yearly",
}
Writer = Callable[[Any, Translator], str]
WRITERS: dict[str, Writer] = {
    "duration": lambda v, t: within(str(v), t),
    "percent": figures.percent,
    "condition": conditions.condition,
    "day": lambda v, t: moments.day(v, t.locale),
    "number": figures.number,
    "review": lambda v, t: t.gettext(REVIEWS[v]) if v in REVIEWS else str(v),
    "zone": lambda v, t: moments.zone_label(v, t.locale),
}


def separators(t: Translator) -> tuple[str, str]:
    """Between the parts of a list of lists ("; ", "；") and between a list's items (", ", "、")."""
    return (
        t.gettext("{first}; {second}").format(first="", second=""),
        t.gettext("{first}, {second}").format(first="", second=""),
    )


def value_words(kind: str, value: Any, t: Translator) -> str:
    """``value``, of the kind given, in ``t``'s language."""
    if value is None or value == "" or value == []:
        return NONE
    if kind in WRITERS:
        return WRITERS[kind](value, t)
    sep, comma = separators(t)
    if kind == "percents":
        return comma.join(figures.percent(p, t) for p in value)
    if kind == "tiers":
        below = t.gettext("below")
        return sep.join(
            f"{below} {figures.percent(b, t)} → {figures.percent(c, t)}" for b, c in value
        )
    if kind == "clock" and isinstance(value, Mapping):
        return _clock(value, t)
    if isinstance(value, Mapping):
        rule = t.gettext("{rule}: {what}")
        return sep.join(
            rule.format(rule=k, what=comma.join(map(str, v)) if _many(v) else v)
            for k, v in value.items()
        )
    return comma.join(map(str, value)) if _many(value) else str(value)


def _many(value: Any) -> bool:
    return isinstance(value, list | tuple | Mapping)


def _clock(value: Mapping[str, Any], t: Translator) -> str:
    """A clock's rules: ``Clock pauses on: Awaiting Customer, Awaiting Supplier; …``."""
    sep, comma = separators(t)
    parts = []
    for rule, word in RULES:
        if not value.get(rule):
            continue
        states = list(value[rule].get("states", []))
        events = list(value[rule].get("events", []))
        names = [word_for("states", n, t.locale) for n in states]
        names += [word_for("events", n, t.locale) for n in events]
        # "{what}" ends the sentence in each language: the states and events follow it
        parts.append(
            t.gettext("{rule}: {what}").format(rule=t.gettext(word), what="") + comma.join(names)
        )
    return sep.join(parts)
