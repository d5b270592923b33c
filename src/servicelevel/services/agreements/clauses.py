"""The clauses of an agreement version, named in the reader's language.

A clause is what a negotiation comment is about and what the diff compares: a top-level section
of the agreement file (``term``, ``fee``…) or one item of its lists (``targets.P1-resolution``,
``availability.email-up``, ``credits.email-credit``). The key is stored; people read the label —
a target's own name in their language ("P1 incidents resolved within 4 hours"), else its clock,
tickets and budget in words — never the key. An empty key is the whole agreement.

Pure: the document and the names of what it points at are given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from servicelevel.i18n import Translator
from servicelevel.i18n.conditions import condition
from servicelevel.i18n.durations import within
from servicelevel.i18n.spacing import fill
from servicelevel.services.shared.errors import Invalid

WHOLE = ""  # a comment on the whole agreement
# Top-level sections a person may comment on, in the words of the pages (en msgids).
SECTIONS = {
    "title": "Title",
    "provider": "Provider",
    "customer": "Customer",
    "internal_team": "Internal team",
    "supplier": "Supplier",
    "services": "Services",
    "term": "Term",
    "review": "Review",
    "timezone": "Time zone",
    "fee": "Fee",
    "calendars": "Calendars",
    "clocks": "Clocks",
    "credit_cap": "Credit cap",
    "responsibilities": "Responsibilities",
    "escalation": "Escalation",
    "description": "Description",
}
# Lists whose items are clauses of their own, each by its id.
KEYED = {"targets": "Targets", "availability": "Availability", "credits": "Service credits"}
CLOCKS = {"response": "Response", "resolution": "Resolution"}


@dataclass(frozen=True)
class Names:
    """What a document points at, by its code, in the reader's language."""

    services: Mapping[str, str] = field(default_factory=dict)
    calendars: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Clause:
    key: str  # "", "term", "targets.P1-resolution"
    section: str  # "", "term", "targets"
    label: str  # in the reader's language
    group: str = ""  # the list it is an item of, in the reader's language (Targets)


def keys_of(document: Mapping[str, Any]) -> list[str]:
    """The clause keys of a version's document, in its order (the whole agreement first)."""
    keys = [WHOLE]
    for section, value in document.items():
        if section in KEYED:
            keys += [f"{section}.{item['id']}" for item in value or []]
        elif section in SECTIONS:
            keys.append(section)
    return keys


def check_clause(document: Mapping[str, Any], clause: str) -> str:
    """``clause`` when it is one of the document's, else an error naming it (422)."""
    if clause not in keys_of(document):
        raise Invalid(
            "{clause} is not a clause of this version: choose one from the list",
            "clause",
            clause=clause,
        )
    return clause


def clauses_of(
    document: Mapping[str, Any], t: Translator, names: Names | None = None
) -> list[Clause]:
    """The document's clauses with their labels in ``t``'s language."""
    names = names or Names()
    out = [Clause(WHOLE, WHOLE, t.gettext("The whole agreement"))]
    for key in keys_of(document)[1:]:
        section = key.split(".", 1)[0]
        group = t.gettext(KEYED[section]) if section in KEYED else ""
        out.append(Clause(key, section, label_of(document, key, t, names), group))
    return out


def label_of(document: Mapping[str, Any], key: str, t: Translator, names: Names) -> str:
    """One clause's label; a key the document does not hold keeps its text (an old comment)."""
    if key == WHOLE:
        return t.gettext("The whole agreement")
    if key in SECTIONS:
        return t.gettext(SECTIONS[key])
    section, _, ident = key.partition(".")
    item = next((i for i in document.get(section) or [] if i.get("id") == ident), None)
    if section not in KEYED or item is None:
        return key
    if section == "credits":
        target = next(
            (
                i
                for s in ("targets", "availability")
                for i in document.get(s) or []
                if i.get("id") == item.get("target")
            ),
            None,
        )
        about = item_label(target, t, names) if target else str(item.get("target", ""))
        return fill(t.gettext("Service credit for {target}"), target=about)
    return item_label(item, t, names)


def item_label(item: Mapping[str, Any], t: Translator, names: Names) -> str:
    """A target's or an availability objective's own name in the reader's language, else
    what it measures in words."""
    own = localized(item.get("name"), t)
    if own:
        return own
    if "service" in item and "clock" not in item:
        service = names.services.get(item["service"], item["service"])
        return fill(t.gettext("Availability of {service}"), service=service)
    return t.gettext("{clock} within {within}: {tickets}").format(
        clock=clock_word(str(item.get("clock", "")), t),
        within=within(str(item.get("within", "")), t),
        tickets=condition(item.get("when") or {}, t),
    )


def clock_word(clock: str, t: Translator) -> str:
    """A clock by its word (Response, Resolution); a clock the agreement names itself keeps
    its name."""
    return t.gettext(CLOCKS[clock]) if clock in CLOCKS else clock


def localized(value: Any, t: Translator) -> str:
    """A text written in several languages (``{en: …, zh-Hans: …}``) in the reader's, else
    in English; a plain text as it is."""
    if isinstance(value, Mapping):
        tag = t.locale.replace("_", "-")
        return str(value.get(tag) or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")
