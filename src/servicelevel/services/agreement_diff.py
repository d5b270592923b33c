"""What changed between two versions of an agreement, for people negotiating it.

Two views of the same comparison: clause by clause (a target or credit clause added, removed
or changed, the term, the fee…) and line by line over the versions written as agreement files.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy.orm import Session

from servicelevel.services.agreements import document_for, get_version
from servicelevel.services.permissions import Actor

KEYED = ("targets", "availability", "credits")  # lists whose items have an id


@dataclass(frozen=True)
class ClauseChange:
    clause: str  # "term", "targets.P1-resolution", …
    change: str  # added, removed, changed
    before: Any
    after: Any


@dataclass(frozen=True)
class VersionDiff:
    old: int
    new: int
    clauses: list[ClauseChange]
    lines: list[str]  # a unified diff of the two files


def as_yaml(document: dict[str, Any]) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=100)


def diff_versions(
    session: Session, *, actor: Actor, agreement_id: int, old: int, new: int
) -> VersionDiff:
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
    return VersionDiff(old, new, clause_changes(a, b), list(lines))


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
