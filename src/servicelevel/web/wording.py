"""Words the pages build from parts: durations, and the messages about a definition's text.

Both come from code that speaks English only (the engine's ``8h 30m``, the YAML reader's
``line 2: column 7: invalid YAML: …``); the pages show them in the reader's language where the
catalog knows the parts, and as they are otherwise.
"""

from __future__ import annotations

import re

from servicelevel.i18n import Translator, durations

UNITS = durations.UNITS  # a duration's units as the catalogs know them (``{n}h``: ``{n} 小时``)

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
    """``30600`` → ``8h 30m`` in English, ``8 小时 30 分钟`` in Chinese: the one rule of
    :mod:`servicelevel.i18n.durations`, which documents (the service report) use too."""
    return durations.duration(seconds, t)


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
