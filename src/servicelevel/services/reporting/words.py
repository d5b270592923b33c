"""The words of a service report that come from data: a credit's reason, a breach's overrun, a
ticket category, worded in the report's language.

The engine keeps its figures as numbers (a credit line carries the tier that applied and the
per-breach rate) and an English reason for logs and the CLI; a document words them here, from
the numbers, with the catalogs' templates, so a Chinese report has no English in it.
"""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent

from servicelevel.engine.credits import CreditLine
from servicelevel.i18n import Translator, translator
from servicelevel.i18n.durations import duration

# Each template below is a msgid of both Chinese catalogs
# (tests/services/reporting/test_report_words.py).
NO_TIER = "no tier applies"
BELOW = "below {threshold}"
PER_BREACH = ("{count} breach × {rate}", "{count} breaches × {rate}")
CAPPED = "{reason}, capped at the clause's limit"
MESSAGES = (NO_TIER, BELOW, *PER_BREACH, CAPPED)


def words_for(language: str) -> Translator:
    """The translator of a document language (``zh-Hans`` → the ``zh_Hans`` catalog)."""
    return translator(language.replace("-", "_"))


def credit_reason(
    language: str,
    *,
    breaches: int,
    per_breach: float = 0.0,
    tier_below: float | None = None,
    capped: bool = False,
) -> str:
    """Why a clause owes what it owes, from a credit line's numbers: the breaches times the
    per-breach rate, or the tier (its threshold, a ratio) the metric fell below, or that no
    tier applies; "capped" when the clause's own cap cut the amount."""
    t = words_for(language)
    locale = t.locale
    if per_breach:
        reason = t.ngettext(*PER_BREACH, breaches).format(
            count=format_decimal(breaches, locale=locale),
            rate=format_decimal(per_breach, locale=locale),
        )
    elif tier_below is None:
        reason = t.gettext(NO_TIER)
    else:
        threshold = format_percent(tier_below, "#,##0.###%", locale=locale)
        reason = t.gettext(BELOW).format(threshold=threshold)
    return t.gettext(CAPPED).format(reason=reason) if capped else reason


def line_reason(line: CreditLine, language: str) -> str:
    """:func:`credit_reason` of an engine credit line."""
    return credit_reason(
        language,
        breaches=line.breaches,
        per_breach=line.per_breach,
        tier_below=line.tier_below,
        capped=line.capped,
    )


def overrun(seconds: int, language: str) -> str:
    """By how much a breach overran its agreed time, in the document's words."""
    return duration(seconds, words_for(language))


def category(value: str, language: str) -> str:
    """A ticket category in the document's language where the catalogs know it (the demo's
    Access, Hardware, Software, Network); a deployment's own categories stay as recorded."""
    return words_for(language).gettext(value) if value else "—"
