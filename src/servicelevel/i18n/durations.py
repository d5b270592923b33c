"""Durations in words of the reader's language: the engine writes ``8h 30m`` (English, for
logs, files and the CLI); documents and pages say ``8 小时 30 分钟`` in Chinese.

One rule for every rendering that is read by a person (a service report's "over by", a page's
time left), so the units read the same everywhere.
"""

from __future__ import annotations

from servicelevel.engine.durations import DurationError, format_seconds, parse_duration
from servicelevel.i18n import Translator

# Unit of a duration, as the catalogs know it: ``{n}h`` is ``{n} 小时`` in Chinese.
UNITS = (("{n}d", 86_400), ("{n}h", 3_600), ("{n}m", 60), ("{n}s", 1))


def duration(seconds: int, t: Translator) -> str:
    """``30600`` → ``8h 30m`` in English, ``8 小时 30 分钟`` in Chinese (the engine's rule:
    days to seconds, units that are zero left out, zero is ``0s``, a negative keeps its sign)."""
    if t.locale == "en":
        return format_seconds(seconds)
    sign = "-" if seconds < 0 else ""
    rest = abs(int(seconds))
    parts = []
    for unit, size in UNITS:
        if rest >= size:
            parts.append(t.gettext(unit).format(n=rest // size))
            rest %= size
    return sign + (" ".join(parts) if parts else t.gettext("{n}s").format(n=0))


# A brief duration's units: ``{n} h`` is ``3 h`` in English and ``3 小时`` in Chinese.
BRIEF_UNITS = (("{n} d", 86_400), ("{n} h", 3_600), ("{n} min", 60), ("{n} s", 1))
BRIEF_PARTS = 2


def brief(seconds: int, t: Translator) -> str:
    """A duration read at a glance on a page: ``12469`` → ``3 h 27 min`` (``3 小时 27 分``) —
    the two largest units from the first that is not zero (the next one left out when it is
    zero); under a minute in seconds; zero is ``0 s``; a negative keeps its sign. Pages show
    this; documents keep :func:`duration`'s exact figure, and the API and CSV the seconds."""
    sign = "-" if seconds < 0 else ""
    rest = abs(int(seconds))
    parts: list[str] = []
    for unit, size in BRIEF_UNITS:
        if parts or rest >= size:
            amount, rest = divmod(rest, size)
            if amount:
                parts.append(t.gettext(unit).format(n=amount))
            if parts and (len(parts) == BRIEF_PARTS or not amount):
                break
    return sign + (" ".join(parts) if parts else t.gettext("{n} s").format(n=0))


def within(text: str | None, t: Translator) -> str:
    """A time budget as written in the catalog or an agreement (``4h``, ``3bd``) in words:
    ``4 h`` (``4 小时``), ``3 business days`` (``3 个工作日``); no budget is a dash, and a text
    that is not a duration is shown as it is."""
    if not text:
        return "—"
    try:
        budget = parse_duration(text)
    except DurationError:
        return text
    if budget.business_days is not None:
        return t.gettext("{n} business days").format(n=budget.business_days)
    return brief(budget.seconds, t)
