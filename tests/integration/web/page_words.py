"""Reading rendered pages as a person does: the text they show, the codes that slip into it,
and the English words on a Chinese page that are not data people typed.

Used by test_words_not_codes.py, which walks every demo page a role can reach.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import JSON, String, Text, inspect, text
from sqlalchemy.engine import Engine, Inspector

from servicelevel.web import labels

# Regions that are literal syntax, not words: scripts, styles, YAML/CSV being edited or shown
# as code (a definition's keys are the format's, not the page's language).
LITERAL = re.compile(r"(?is)<(script|style|textarea|code|pre)\b.*?</\1>")
SHOWN_ATTRIBUTES = re.compile(r'\s(?:title|placeholder|aria-label|alt)="([^"]*)"')
TAG = re.compile(r"(?s)<[^>]+>")
CELL = re.compile(r"(?s)<(td|dd|li|option|th|dt|small|strong|span)\b[^>]*>([^<]*)</\1>")
LANG = re.compile(r'<html[^>]*\slang="([^"]+)"')
WORD = re.compile(r"[A-Za-z][A-Za-z'’]*[A-Za-z]|[A-Za-z]")

# Names and abbreviations that are the same in every language: the product, the kinds of
# agreement and record (as ITIL writes them), file formats, units and the zone every instant
# is stored in. Anything else English on a Chinese page must be data people typed.
UNIVERSAL = {
    "servicelevel", "SLA", "OLA", "UC", "SLR", "SIP", "SLM", "ITIL", "IT", "PDF", "XLSX", "CSV",
    "HTML", "YAML", "JSON", "API", "UTC", "ISO", "HTTP", "HTTPS", "URL", "SMTP", "Webhook",
    "Slack", "WeCom", "DingTalk", "Feishu", "Markdown", "English", "YYYY", "MM", "DD", "HH",
    "GMT", "P", "Q", "v", "x", "bd", "ServiceNow", "Jira", "RT", "REST",
}  # fmt: skip
# Codes with a label: a page that shows one of these by itself shows the code, not the word.
LABELLED = {
    code
    for table in (*labels.ALL, labels.PARTY_KINDS)
    for code, word in table.items()
    if code != word and ("_" in code or code.islower())
}
ROLE_CODES = set(labels.ROLES) | set(labels.PARTICIPANT_ROLES)
IDENTIFIER = re.compile(r"\b[a-z][a-z0-9_]*\b")
SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
CONDITION = re.compile(r"\b[a-z_]+ = [\w-]+")
DAY = "mon|tue|wed|thu|fri|sat|sun"
WEEKDAY_CODE = re.compile(rf"\b({DAY})(?=\s+\d|-(?:{DAY})\b|:)")  # mon 09:00, mon-fri, sun:
LANGUAGE_TAG = re.compile(r"\bzh-Han[st]\b")
# Columns of people's text (names, titles, notes, answers) and of identifiers they chose
# (codes, ticket numbers, target ids): data, shown as written, in whatever language it is in.
# Coded columns (states, kinds, roles, events, categories, metrics) are not data in this sense.
CODED_COLUMNS = {
    "status", "state", "kind", "event", "role", "signed_as", "side", "metric", "outcome",
    "trigger", "origin", "clock", "action", "object_type", "locale", "language", "category",
    "mode", "review_frequency", "frequency", "channel", "fee_per", "scope", "format",
    "password_hash", "token_hash", "fingerprint", "body_template", "secret",
}  # fmt: skip
TYPED_CATEGORIES = {"service"}  # a service's category is typed by people; a ticket's is coded
# JSON columns holding people's text (names per language, a calendar's holiday names, a
# meeting's minutes, an agreement's responsibilities); an agreement's clocks are coded states
TYPED_JSON: set[str | tuple[str, str]] = {
    "names", "titles", "descriptions", "name", "title", ("calendar", "definition"),
    ("review_meeting", "minutes"), ("review_meeting", "decisions"),
    ("agreement_version", "responsibilities"), ("agreement_version", "escalation"),
}  # fmt: skip
SKIPPED_TABLES = {"audit_entry", "job", "event_inbox", "notification", "api_token"}


@dataclass(frozen=True)
class Page:
    path: str
    lang: str
    text: str  # what a reader sees: text outside tags and literal regions, shown attributes
    cells: tuple[str, ...]  # the text of each cell, item and label on its own
    status: int = 200


def read_page(path: str, body: str, status: int = 200) -> Page:
    found = LANG.search(body)
    lang = found.group(1) if found else "en"
    visible = LITERAL.sub(" ", body)
    shown = " ".join(SHOWN_ATTRIBUTES.findall(visible))
    words = html.unescape(TAG.sub(" ", visible) + " " + shown)
    cells = tuple(html.unescape(c[1]).strip() for c in CELL.findall(visible))
    return Page(path, lang, re.sub(r"\s+", " ", words), cells, status)


def data_words(engine: Engine) -> set[str]:
    """Every word in the text people typed and the identifiers they chose, in the demo."""
    found: set[str] = set()
    with engine.connect() as conn:
        schema = inspect(conn)
        for table in schema.get_table_names():
            if table in SKIPPED_TABLES or table.startswith("alembic"):
                continue
            for column in _text_columns(schema, table):
                for (value,) in conn.execute(text(f'SELECT "{column}" FROM "{table}"')):
                    found |= set(WORD.findall(str(value))) if value is not None else set()
    return found


def _text_columns(schema: Inspector, table: str) -> Iterable[str]:
    for column in schema.get_columns(table):
        if column["name"] in CODED_COLUMNS and not (
            column["name"] == "category" and table in TYPED_CATEGORIES
        ):
            continue
        kind = column["type"]
        typed = column["name"] in TYPED_JSON or (table, column["name"]) in TYPED_JSON
        if isinstance(kind, String | Text) or (isinstance(kind, JSON) and typed):
            yield column["name"]


def codes_on(page: Page, data: set[str]) -> list[str]:
    """Codes shown where words belong, in any language."""
    problems = [f"role code {m}" for m in set(IDENTIFIER.findall(page.text)) & ROLE_CODES]
    problems += [f"snake_case {m}" for m in set(SNAKE.findall(page.text)) - data]
    problems += [f"condition {m!r}" for m in CONDITION.findall(page.text)]
    problems += [f"language tag {m}" for m in LANGUAGE_TAG.findall(page.text)]
    problems += [f"weekday code {m}" for m in set(WEEKDAY_CODE.findall(page.text))]
    problems += [f"code in a cell: {c}" for c in page.cells if c in LABELLED and c not in data]
    return sorted(set(problems))


def english_on(page: Page, data: set[str]) -> list[str]:
    """English words on a Chinese page that are neither data nor universal names."""
    if not page.lang.startswith("zh"):
        return []
    words = set(WORD.findall(page.text))
    return sorted(words - data - UNIVERSAL)
