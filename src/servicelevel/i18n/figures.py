"""Figures in the reader's language: percentages as pages, the API's words and documents show
them."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from babel.numbers import format_decimal, format_percent

from servicelevel.i18n import Translator


def percent(value: float, t: Translator) -> str:
    """A share as a percentage with one decimal (``66.7%``); between 99% and 100% with up to
    three, cut rather than rounded, so 99.996% never reads as 100% and 99.95% stays itself."""
    near_whole = 0.99 <= value < 1
    shown = Decimal(str(value))
    if near_whole:
        shown = shown.quantize(Decimal("0.00001"), rounding=ROUND_DOWN)
    pattern = "#,##0.###%" if near_whole else "#,##0.#%"
    return format_percent(shown, pattern, locale=t.babel_locale)


def number(value: float, t: Translator) -> str:
    """A number with the reader's separators (``12,000``)."""
    return format_decimal(value, locale=t.babel_locale)
