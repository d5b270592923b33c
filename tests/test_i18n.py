"""Every string the pages show is translated into both Chinese scripts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from servicelevel.db.models.parties import PARTY_KINDS
from servicelevel.engine.calendars import WEEKDAYS
from servicelevel.i18n import negotiate, translator
from servicelevel.services.agreements import underpinning
from servicelevel.services.monitoring import explain
from servicelevel.services.notifications import notices
from servicelevel.web import labels
from servicelevel.web.errors import HEADINGS

TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "servicelevel" / "web" / "templates"


def web_messages() -> set[str]:
    """Messages pages raise themselves (form rows the services never see)."""
    found: set[str] = set()
    for path in TEMPLATES.parent.rglob("*.py"):
        text = path.read_text("utf-8")
        found |= set(re.findall(r'_row_error\(\w+, "\w+", "([^"]+)"\)', text))
        found |= set(re.findall(r'Invalid\(\s*"([^"]+)"', text))
    return found


def shown_strings() -> set[str]:
    found: set[str] = set()
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'_\(\s*"([^"]+)"\s*\)', text))
        found |= set(re.findall(r"_\(\s*'([^']+)'\s*\)", text))
        found |= set(re.findall(r'field\("[^"]+",\s*"([^"]+)"', text))
        found |= set(re.findall(r'\("[a-z_]+",\s*"([A-Z][^"]+)"\)', text))  # (name, label) pairs
    coded = {label for table in labels.ALL for label in table.values()}
    coded |= set(underpinning.MESSAGES.values())
    coded |= (
        set(explain.REASONS) | set(notices.SUBJECTS.values()) | {line for _, line in notices.LINES}
    )
    return (
        found | set(PARTY_KINDS) | set(WEEKDAYS) | set(HEADINGS.values()) | coded | web_messages()
    )


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


def service_messages() -> set[str]:
    """Every message template a service raises (first argument of an error's constructor)."""
    import ast

    names = {"Invalid", "Conflict", "NotFound", "Forbidden", "Unauthenticated"}
    root = TEMPLATES.parents[1] / "services"
    found: set[str] = set()
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_service_message_is_translated_with_its_placeholders(locale: str) -> None:
    t = translator(locale)
    messages = service_messages()
    assert len(messages) > 20
    missing = sorted(m for m in messages if m not in t.messages)
    assert missing == []
    for m in messages:
        assert set(re.findall(r"\{(\w+)\}", t.messages[m])) == set(re.findall(r"\{(\w+)\}", m))
