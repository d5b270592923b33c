"""What changed between two versions of an agreement, for people negotiating it.

Two views of the same comparison: clause by clause (a target or credit clause added, removed
or changed, the term, the fee…; :mod:`servicelevel.services.agreements.diff_clauses`) and line
by line over the versions written as agreement files. Labels, values and what a clause points
at (a calendar, a service) are in the reader's language; the agreement's own settings, which
no version carries, are named beside the changes. The clauses of a version and of each
negotiation comment are labelled here too.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

import yaml
from sqlalchemy.orm import Session

from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.i18n import Translator, translator
from servicelevel.services.agreements import clauses
from servicelevel.services.agreements.clauses import SECTIONS, Clause, Names
from servicelevel.services.agreements.diff_clauses import SECTION_KINDS, ClauseChange, described
from servicelevel.services.agreements.diff_words import value_words
from servicelevel.services.agreements.reading import (
    comments,
    document_for,
    get_agreement,
    get_version,
    visible_versions,
)
from servicelevel.services.identity.permissions import Actor

# Settings of the agreement, not of a version: every version's file shows the current ones, so
# a change to them never shows in a comparison of versions. The diff names them instead.
UNVERSIONED = ("title", "provider", "review")
ALWAYS = "24x7"


@dataclass(frozen=True)
class Setting:
    """A setting of the agreement that no version carries (see :data:`UNVERSIONED`)."""

    key: str  # the agreement file's key: title, provider, review
    label: str
    value: Any  # as in the file
    text: str  # in the reader's words


@dataclass(frozen=True)
class VersionDiff:
    old: int
    new: int
    clauses: list[ClauseChange]
    lines: list[str]  # a unified diff of the two files
    unversioned: list[Setting] = field(default_factory=list)  # the same in every version


def as_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def diff_versions(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    old: int,
    new: int,
    locale: str = "en",
) -> VersionDiff:
    """The two versions compared; labels and names in ``locale``'s words."""
    agreement, first = get_version(session, actor=actor, agreement_id=agreement_id, number=old)
    _, second = get_version(session, actor=actor, agreement_id=agreement_id, number=new)
    a, b = document_for(session, agreement, first), document_for(session, agreement, second)
    lines = difflib.unified_diff(
        as_yaml(a).splitlines(),
        as_yaml(b).splitlines(),
        fromfile=f"{agreement.code} v{old}",
        tofile=f"{agreement.code} v{new}",
        lineterm="",
    )
    t = translator(locale)
    names = names_of(session, [a, b], t)
    return VersionDiff(old, new, described(a, b, t, names), list(lines), unversioned(b, t))


def unversioned(document: dict[str, Any], t: Translator) -> list[Setting]:
    """The agreement's own settings as ``document`` gives them, in ``t``'s words."""
    return [
        Setting(key, t.gettext(SECTIONS[key]), document.get(key), _setting_text(key, document, t))
        for key in UNVERSIONED
    ]


def _setting_text(key: str, document: dict[str, Any], t: Translator) -> str:
    value = document.get(key)
    if key == "title":
        return clauses.localized(value, t) or value_words("text", None, t)
    return value_words(SECTION_KINDS.get(key, "text"), value, t)


def version_clauses(
    session: Session, *, actor: Actor, agreement_id: int, number: int, locale: str = "en"
) -> list[Clause]:
    """A version's clauses, the whole agreement first, labelled in ``locale``'s words: what a
    negotiation comment may be about."""
    agreement, version = get_version(session, actor=actor, agreement_id=agreement_id, number=number)
    document = document_for(session, agreement, version)
    t = translator(locale)
    return clauses.clauses_of(document, t, names_of(session, [document], t))


def comment_labels(
    session: Session, *, actor: Actor, agreement_id: int, locale: str = "en"
) -> dict[tuple[int, str], str]:
    """The label of each comment's clause, by (version id, clause key), as the version it was
    made on names it (a clause removed since keeps its name)."""
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    made = comments(session, actor=actor, agreement_id=agreement_id)
    on = {c.version_id for c in made}
    commented = [v for v in visible_versions(actor, agreement) if v.id in on]
    documents = {v.id: document_for(session, agreement, v) for v in commented}
    t = translator(locale)
    names = names_of(session, list(documents.values()), t)
    return {
        (c.version_id, c.clause): clauses.label_of(
            documents.get(c.version_id, {}), c.clause, t, names
        )
        for c in made
    }


def names_of(session: Session, documents: list[dict[str, Any]], t: Translator) -> Names:
    """The names of the services and calendars the documents point at, in ``t``'s language."""
    codes = sorted({s for d in documents for s in d.get("services") or []})
    found = catalog_repo.services_by_codes(session, codes) if codes else []
    services = {s.code: clauses.localized({"en": s.name, **s.names}, t) for s in found}
    calendars = {ALWAYS: t.gettext("Around the clock (24×7)")}
    for code in {c for d in documents for c in (d.get("calendars") or {}).values()} - {ALWAYS}:
        record = calendar_repo.calendar_by_code(session, code)
        calendars[code] = (record.name or record.code) if record else code
    return Names(services, calendars)
