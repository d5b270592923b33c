"""What changed clause by clause between two versions of an agreement, written as agreement
files: a target or credit clause added, removed or changed, the term, the fee…

Each change is named by the clause's label in the reader's language and lists the fields that
changed, before and after; a value is given with the kind of value it is (a duration, a
percentage, a condition…) so the page writes it in the reader's words
(:mod:`servicelevel.services.agreements.diff_words`), and what it points at (a calendar, a
service, a target) is given by its name, not its code. Reading the versions and the line by
line view are :mod:`servicelevel.services.agreements.diff`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from servicelevel.i18n import NAMES, Translator
from servicelevel.services.agreements import clauses
from servicelevel.services.agreements.clauses import KEYED, SECTIONS, Names
from servicelevel.services.agreements.diff_words import value_words

# The fields of a list's items, in the order a person reads them, with the kind of value each
# holds (how the page writes it): duration "4 h", percent "95%", condition "Priority is P1"…
ITEM_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "targets": (
        ("name", "text"),
        ("clock", "text"),
        ("when", "condition"),
        ("within", "duration"),
        ("calendar", "text"),
        ("objective", "percent"),
        ("warnings", "percents"),
        ("held_by", "text"),
    ),
    "availability": (
        ("name", "text"),
        ("service", "text"),
        ("calendar", "text"),
        ("objective", "percent"),
    ),
    "credits": (
        ("target", "text"),
        ("tiers", "tiers"),
        ("per_breach", "number"),
        ("cap", "percent"),
        ("description", "text"),
    ),
}
SECTION_FIELDS: dict[str, tuple[tuple[str, str], ...]] = {
    "term": (("start", "day"), ("end", "day")),
    "fee": (("amount", "number"), ("currency", "text"), ("per", "text")),
}
SECTION_KINDS = {"review": "review", "timezone": "zone", "credit_cap": "percent"}
# Each field's label (en msgids): the page and the API name a changed field by these words.
FIELD_LABELS = {
    **SECTIONS,
    "name": "Name",
    "clock": "Clock",
    "when": "Applies to",
    "within": "Within",
    "calendar": "Calendar",
    "objective": "Objective",
    "warnings": "Warnings",
    "held_by": "Held by",
    "service": "Service",
    "target": "Target",
    "tiers": "Tiers",
    "per_breach": "Credit per breach",
    "cap": "Cap",
    "start": "Start",
    "end": "End",
    "amount": "Amount",
    "currency": "Currency",
    "per": "Per",
}
FEE_PER = {"month": "Monthly", "quarter": "Quarterly", "year": "Yearly"}
CALENDAR_KEYS = {"business": "Business hours", "always": "Around the clock"}


@dataclass(frozen=True)
class FieldChange:
    field: str  # the document's key (within, objective…), for the page's field labels
    kind: str  # how the values are written: text, duration, percent, percents, condition…
    before: Any  # None: not there
    after: Any
    label: str = ""  # the field in the reader's words (Within, a clock, a language…)
    before_text: str = ""  # the values in the reader's words, as the page shows them
    after_text: str = ""


@dataclass(frozen=True)
class ClauseChange:
    clause: str  # "term", "targets.P1-resolution", …
    change: str  # added, removed, changed
    before: Any
    after: Any
    label: str = ""  # the clause in the reader's words
    fields: list[FieldChange] = field(default_factory=list)


def described(
    a: dict[str, Any], b: dict[str, Any], t: Translator, names: Names
) -> list[ClauseChange]:
    """:func:`clause_changes` with each change's label and fields in words."""
    out = []
    for c in clause_changes(a, b):
        document = b if c.change == "added" else a  # a changed clause as it was known
        label = clauses.label_of(document, c.clause, t, names)
        section = c.clause.split(".", 1)[0]
        fields = [_worded(f, t) for f in _fields(section, c, (a, b), t, names)]
        out.append(ClauseChange(c.clause, c.change, c.before, c.after, label, fields))
    return out


def _worded(f: FieldChange, t: Translator) -> FieldChange:
    """``f`` with its label and values in the reader's words."""
    label = f.label or (t.gettext(FIELD_LABELS[f.field]) if f.field in FIELD_LABELS else f.field)
    before, after = (value_words(f.kind, v, t) for v in (f.before, f.after))
    return replace(f, label=label, before_text=before, after_text=after)


def clause_changes(a: dict[str, Any], b: dict[str, Any]) -> list[ClauseChange]:
    out: list[ClauseChange] = []
    for key in dict.fromkeys([*a, *b]):
        if key in KEYED:
            out += _keyed(key, a.get(key) or [], b.get(key) or [])
        elif a.get(key) != b.get(key):
            out.append(_change(key, a.get(key), b.get(key)))
    return out


def _keyed(
    section: str, old: list[dict[str, Any]], new: list[dict[str, Any]]
) -> list[ClauseChange]:
    before = {item["id"]: item for item in old}
    after = {item["id"]: item for item in new}
    return [
        _change(f"{section}.{key}", before.get(key), after.get(key))
        for key in dict.fromkeys([*before, *after])
        if before.get(key) != after.get(key)
    ]


def _change(clause: str, before: Any, after: Any) -> ClauseChange:
    kind = "added" if before is None else "removed" if after is None else "changed"
    return ClauseChange(clause, kind, before, after)


Documents = tuple[dict[str, Any], dict[str, Any]]


def _fields(
    section: str, c: ClauseChange, documents: Documents, t: Translator, names: Names
) -> list[FieldChange]:
    """The fields of a clause that differ, their values as the page writes them."""
    if section in ITEM_FIELDS:
        return _item_fields(section, c.before or {}, c.after or {}, documents, t, names)
    if section in SECTION_FIELDS:
        return _section_fields(section, c.before or {}, c.after or {}, t)
    if section == "title":
        return _titles(c.before, c.after)
    if section == "calendars":
        return _mapped(c.before, c.after, ("calendar", "text"), names.calendars, _calendar_key(t))
    if section == "clocks":
        return _mapped(
            c.before, c.after, ("clock", "clock"), {}, lambda k: clauses.clock_word(k, t)
        )
    if section == "services":
        old, new = (
            [names.services.get(s, s) for s in v] if v else None for v in (c.before, c.after)
        )
        return [FieldChange("services", "list", old, new)]
    return [FieldChange(section, SECTION_KINDS.get(section, "text"), c.before, c.after)]


def _section_fields(
    section: str, old: Mapping[str, Any], new: Mapping[str, Any], t: Translator
) -> list[FieldChange]:
    """The term's start and end, the fee's amount, currency and period: those that differ."""
    out = []
    for key, kind in SECTION_FIELDS[section]:
        before, after = old.get(key), new.get(key)
        if before != after:
            if key == "per":
                before, after = _fee_per(before, t), _fee_per(after, t)
            out.append(FieldChange(key, kind, before, after))
    return out


def _item_fields(
    section: str,
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    documents: Documents,
    t: Translator,
    names: Names,
) -> list[FieldChange]:
    out = []
    known = dict(ITEM_FIELDS[section])
    others = {k: "text" for k in [*old, *new] if k not in known and k != "id"}
    for key, kind in {**known, **others}.items():  # a field not known yet is never left out
        before = _item_value(key, old, documents[0], t, names) if old else None
        after = _item_value(key, new, documents[1], t, names) if new else None
        if before != after:
            if key == "cap" and not (old.get("tiers") or new.get("tiers")):
                kind = "number"  # a cap on credits per breach is an amount, not a share
            out.append(FieldChange(key, kind, before, after))
    return out


def _item_value(
    key: str, item: Mapping[str, Any], document: dict[str, Any], t: Translator, names: Names
) -> Any:
    """A field of a target, availability objective or credit clause, by what it names."""
    value = item.get(key)
    if value is None:
        return None
    if key == "name":
        return clauses.localized(value, t) or None
    if key == "clock":
        return clauses.clock_word(str(value), t)
    if key == "calendar":
        code = (document.get("calendars") or {}).get(value, value)
        return names.calendars.get(code, code)
    if key == "service":
        return names.services.get(value, value)
    if key == "target":
        return clauses.label_of(document, _target_key(document, value), t, names)
    if key == "tiers":
        return [(tier["below"], tier["credit"]) for tier in value]
    return value


def _target_key(document: dict[str, Any], ident: str) -> str:
    for section in ("targets", "availability"):
        if any(i.get("id") == ident for i in document.get(section) or []):
            return f"{section}.{ident}"
    return str(ident)


def _fee_per(value: Any, t: Translator) -> Any:
    return t.gettext(FEE_PER[value]) if value in FEE_PER else value


def _calendar_key(t: Translator) -> Callable[[str], str]:
    return lambda key: t.gettext(CALENDAR_KEYS[key]) if key in CALENDAR_KEYS else key


def _titles(before: Any, after: Any) -> list[FieldChange]:
    """A title per language: each language whose title changed, by the language's name."""
    old = before if isinstance(before, dict) else {"en": before} if before else {}
    new = after if isinstance(after, dict) else {"en": after} if after else {}
    return [
        FieldChange(
            "title", "text", old.get(tag), new.get(tag), NAMES.get(tag.replace("-", "_"), tag)
        )
        for tag in dict.fromkeys([*old, *new])
        if old.get(tag) != new.get(tag)
    ]


def _mapped(
    before: Any,
    after: Any,
    field_kind: tuple[str, str],
    values: Mapping[str, str],
    label: Callable[[str], str],
) -> list[FieldChange]:
    """A section that maps names to values (calendars to their calendar, clocks to their
    rules): each name whose value changed, the value by its name where ``values`` has one."""
    old, new = before or {}, after or {}

    def named(value: Any) -> Any:
        return values.get(value, value) if isinstance(value, str) else value

    return [
        FieldChange(*field_kind, named(old.get(key)), named(new.get(key)), label(key))
        for key in dict.fromkeys([*old, *new])
        if old.get(key) != new.get(key)
    ]
