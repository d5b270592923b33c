"""Every string the pages show is translated into both Chinese scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicelevel.db.models.parties import PARTY_KINDS
from servicelevel.engine.calendars import WEEKDAYS
from servicelevel.i18n import negotiate, translator
from servicelevel.web.errors import HEADINGS

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "servicelevel" / "web" / "templates"


def shown_strings() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\(\s*"([^"]+)"\s*\)', text))
        found |= set(re.findall(r"_\(\s*'([^']+)'\s*\)", text))
        found |= set(re.findall(r'field\("[^"]+",\s*"([^"]+)"', text))
        found |= set(re.findall(r'\("[a-z_]+",\s*"([A-Z][^"]+)"\)', text))  # (name, label) pairs
    return found | set(PARTY_KINDS) | set(WEEKDAYS) | set(HEADINGS.values())


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_shown_string_is_translated(locale: str) -> None:
    t = translator(locale)
    missing = sorted(s for s in shown_strings() if s not in t.messages)
    assert missing == []


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("zh-CN,zh;q=0.9", "zh_Hans"),
        ("zh-TW", "zh_Hant"),
        ("zh-Hant-HK", "zh_Hant"),
        ("en-US,en;q=0.8", "en"),
        ("fr-FR", "en"),
        ("", "en"),
    ],
)
def test_browser_languages_are_understood(header: str, locale: str) -> None:
    assert negotiate(header) == locale
