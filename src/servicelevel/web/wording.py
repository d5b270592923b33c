"""Words the pages build from parts: durations, and the messages about a definition's text.

Both come from code that speaks English only (the engine's ``8h 30m``, the YAML reader's
``line 2: column 7: invalid YAML: …``); the pages show them in the reader's language where the
catalog knows the parts, and as they are otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal

from servicelevel.i18n import NAMES, Translator, conditions, durations, figures, ticket_words
from servicelevel.i18n.ticket_words import Kind
from servicelevel.web.audit_labels import AUDIT_FIELDS

# a duration's units as the catalogs know them (``{n} h``: ``{n} 小时``)
UNITS = durations.BRIEF_UNITS

# Messages of the definition readers (YAML forms: new agreement, draft edit, new calendar) and
# the line/column/field prefixes the services put before them. A {name} stands for any text;
# a {reason} or {problem} is itself looked up the same way. Each is a msgid of the catalogs.
DEFINITION_MESSAGES = (
    "line {line}: {reason}",
    "column {column}: {reason}",
    "invalid YAML: {problem}",
    "anchors and aliases (&name, *name) are not accepted: write the value out",
    "the document is nested more than {depth} levels deep",
    "the key {key} is given twice (first on line {line})",
    "the YAML is {size} bytes; at most {limit} are read (SLM_YAML_MAX_BYTES)",
    "the calendar has no working time: give working hours for at least one day of the week "
    "(e.g. mon-fri: 09:00-18:00) or an extra working day",
    "calendar {key} has no working time: give working hours for at least one day of the week, "
    "or extra working days",
    "keys must be text",
    "tags (!!name, !name) are not accepted: write the value plainly (quote it to make it a text)",
    "the document holds more than {count} values",
    "the number has more than {digits} digits",
    "the text holds a lone surrogate (\\ud800-\\udfff), which is not a character",
    "the value cannot be read: {detail}",
    "must be one of {choices}",
)
FIELD_PREFIX = "{field}: {reason}"  # a key path before a known message: hours: …
NESTED = ("reason", "problem")
_FIELD = re.compile(r"(?P<field>[A-Za-z_][\w.\-\[\]]*): (?P<reason>.+)", re.S)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
    )
    return re.compile(regex, re.S)


_PATTERNS = tuple((template, _pattern(template)) for template in DEFINITION_MESSAGES)


def duration(seconds: int, t: Translator) -> str:
    """A duration on a page, brief: ``3 h 27 min`` (``3 小时 27 分``), see
    :func:`servicelevel.i18n.durations.brief`."""
    return durations.brief(seconds, t)


def label(table: Mapping[str, str], code: object, t: Translator) -> str:
    """A code's label in the page's language (``service_level_manager`` → Service level
    manager → 服务级别经理); a code the table does not know is shown as it is."""
    key = "" if code is None else str(code)
    return t.gettext(table[key]) if key in table else key


def within(text: str | None, t: Translator) -> str:
    """A time budget as written in the catalog or an agreement (``4h``, ``3bd``) in words:
    ``4 h`` (``4 小时``), ``3 business days`` (``3 个工作日``); no budget is a dash, and a text
    that is not a duration is shown as it is."""
    return durations.within(text, t)


def explained(why: str, params: Mapping[str, Any], t: Translator) -> str:
    """A step of a clock's explanation (``pause state {state}``) in the page's language, the
    state or event it names in words too (``Awaiting Supplier`` → 等待供应商), as a sentence."""
    kinds: dict[str, Kind] = {"state": "states", "event": "events"}
    words = {
        name: ticket(kinds[name], value, t) if name in kinds and isinstance(value, str) else value
        for name, value in params.items()
    }
    text = t.gettext(why).format(**words)
    return text[:1].upper() + text[1:]  # a cell of its own: a sentence ("Running")


def field_label(field: str, t: Translator) -> str:
    """A form field's key (``name``, ``options.0.code``) by its label (Name, Code) where the
    pages have one for its last part; else the key as it is."""
    last = field.rsplit(".", 1)[-1]
    return label(AUDIT_FIELDS, last, t) if last in AUDIT_FIELDS else field


def percent(value: float, t: Translator) -> str:
    """A share as a percentage (see :func:`servicelevel.i18n.figures.percent`)."""
    return figures.percent(value, t)


def score(value: float | None, t: Translator, best: float = 5) -> str:
    """A satisfaction score as a score: ``4.2 / 5`` (a mean kept to one decimal)."""
    if value is None:
        return "—"
    return f"{format_decimal(value, '#,##0.#', locale=t.babel_locale)} / {best:g}"


def language_name(tag: str) -> str:
    """A language tag (``zh-Hans``) by the name its readers know it by (简体中文)."""
    return NAMES.get(tag.replace("-", "_"), tag)


_deployment_words = ticket_words.deployment_words  # the one loader, kept under its old name


def ticket(kind: Kind, name: str | None, t: Translator) -> str:
    """A ticket's state, event or category in the page's language (see
    :mod:`servicelevel.i18n.ticket_words`); an event with no name is a dash."""
    return ticket_words.word_for(kind, name, t.locale)


def words(t: Translator) -> dict[str, Any]:
    """What templates call to show codes and figures in words: ``label(labels.ROLES, code)``,
    ``condition(selector)``, ``ticket_word("states", name)``, ``language_name(tag)``,
    ``duration(seconds)``, ``percent(share)``, ``score(mean)`` (the tables of labels are the
    templates' global ``labels``)."""
    return {
        "label": lambda table, code: label(table, code, t),
        "condition": lambda selector: conditions.condition(selector, t),
        "ticket_word": lambda kind, name: ticket(kind, name, t),
        "language_name": language_name,
        "duration": lambda seconds: duration(seconds, t),
        "within": lambda text: within(text, t),
        "explained": lambda why, params: explained(why, params, t),
        "percent": lambda share: percent(share, t),
        "score": lambda mean, best=5: score(mean, t, best),
    }


def definition_message(text: str, t: Translator) -> str:
    """A message about a definition's text in the page's language, as far as the catalog knows
    its parts (``line 2: column 7: invalid YAML: anchors and aliases …``); a part it does not
    know stays as it is (a YAML parser's own words, a key, a value)."""
    if t.locale == "en":
        return text
    known = t.messages.get(text)
    if known:
        return known
    for template, pattern in _PATTERNS:
        found = pattern.fullmatch(text)
        if found and template in t.messages:
            values = {
                name: definition_message(value, t) if name in NESTED else value
                for name, value in found.groupdict().items()
            }
            return t.gettext(template).format(**values)
    field = _FIELD.fullmatch(text)
    if field:
        reason = definition_message(field["reason"], t)
        if reason != field["reason"]:
            return t.gettext(FIELD_PREFIX).format(field=field["field"], reason=reason)
    return text
