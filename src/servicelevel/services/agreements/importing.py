"""Agreements as code: import an agreement file idempotently, with a dry run that shows the diff.

Importing a file whose agreement does not exist creates it (a draft). Otherwise the file
becomes the content of the newest version if that is still a draft, or of a new version if the
newest is already proposed, signed or in force. A file that says what the agreement already
says changes nothing, so importing twice is the same as importing once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as repo
from servicelevel.services.agreements import authoring, file_checks
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import NotFound


@dataclass(frozen=True)
class ImportResult:
    code: str
    action: str  # created, updated, new_version, unchanged
    number: int  # the version that holds the file's content
    diff: list[str]


def import_document(
    session: Session, *, actor: Actor, document: dict[str, Any], dry_run: bool = False
) -> ImportResult:
    """Bring the stored agreement in line with ``document``; with ``dry_run`` only say what
    would change."""
    require(actor, "agreement.write")
    code = file_checks.validate(document).id
    savepoint = session.begin_nested()
    try:
        before, action, after, number = _apply(session, actor, code, document)
    except BaseException:
        savepoint.rollback()
        raise
    if before == after:
        action = "unchanged"
    if dry_run or action == "unchanged":
        savepoint.rollback()
    else:
        savepoint.commit()
    lines = difflib.unified_diff(
        as_yaml(before).splitlines() if before else [],
        as_yaml(after).splitlines(),
        fromfile=f"{code} (stored)",
        tofile=f"{code} (file)",
        lineterm="",
    )
    return ImportResult(code, action, number, list(lines))


def _apply(
    session: Session, actor: Actor, code: str, document: dict[str, Any]
) -> tuple[dict[str, Any], str, dict[str, Any], int]:
    existing = repo.agreement_by_code(session, code)
    if existing is None:
        made = authoring.create_agreement(session, actor=actor, document=document)
        session.flush()
        version = agreements.latest(made)
        return {}, "created", agreements.document_for(session, made, version), version.number
    newest = agreements.latest(existing)
    before = agreements.document_for(session, existing, newest)
    action = "updated"
    if newest.state != "draft":
        newest = authoring.new_version(
            session,
            actor=actor,
            agreement_id=existing.id,
            version=existing.version,
            note="imported",
        )
        session.flush()
        action = "new_version"
    edited = authoring.edit_version(
        session,
        actor=actor,
        agreement_id=existing.id,
        number=newest.number,
        version=newest.version,
        document=document,
    )
    session.flush()
    return before, action, agreements.document_for(session, existing, edited), edited.number


def export_by_code(
    session: Session, *, actor: Actor, code: str, number: int | None = None
) -> dict[str, Any]:
    """An agreement (by its id, e.g. SLA-2025-001) as a file."""
    found = repo.agreement_by_code(session, code)
    if found is None or not agreements.can_see(actor, found):
        raise NotFound("no agreement {id}", id=code)
    return agreements.export_document(session, actor=actor, agreement_id=found.id, number=number)


def agreement_id_of(session: Session, *, actor: Actor, code: str) -> int:
    """The id of the agreement with this code (as the actor may see it)."""
    found = repo.agreement_by_code(session, code)
    if found is None or not agreements.can_see(actor, found):
        raise NotFound("no agreement {id}", id=code)
    return found.id
