"""Translations: English (source), 简体中文 (zh_Hans), 繁體中文 (zh_Hant).

Catalogs are gettext ``.po`` files under ``i18n/<locale>/LC_MESSAGES/messages.po``, read with
Babel at start-up (no compile step). ``locales`` lists the choices offered to users.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po

HERE = Path(__file__).parent
LOCALES = ("en", "zh_Hans", "zh_Hant")
NAMES = {"en": "English", "zh_Hans": "简体中文", "zh_Hant": "繁體中文"}
DEFAULT = "en"


@dataclass(frozen=True)
class Translator:
    locale: str
    messages: dict[str, str]

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)

    @property
    def babel_locale(self) -> Locale:
        return Locale.parse(self.locale)


@cache
def translator(locale: str) -> Translator:
    """The translator for one of :data:`LOCALES` (English for anything else)."""
    if locale not in LOCALES or locale == DEFAULT:
        return Translator(DEFAULT, {})
    path = HERE / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    messages = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    return Translator(locale, messages)


def negotiate(accept_language: str) -> str:
    """The best of our locales for an Accept-Language header."""
    for part in accept_language.split(","):
        tag = part.split(";")[0].strip().lower().replace("_", "-")
        if tag.startswith("zh"):
            traditional = any(x in tag for x in ("hant", "-tw", "-hk", "-mo"))
            return "zh_Hant" if traditional else "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return DEFAULT
