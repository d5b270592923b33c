"""``slm apply``: bring the database in line with YAML documents, idempotently, in one transaction.

Each document is compared with what is stored (written as a document the same way ``slm
export`` writes it): a document that says what is stored is left alone, so applying twice
changes nothing the second time and says so. A dry run does all the work inside a savepoint
and rolls it back, so its diff is exactly what an apply would do. Any mistake rolls back every
document (the caller's one transaction) and names the document's file and line.

Agreements go through the agreement import (a draft, or a new version of one in force). With
signatories, each agreement whose newest version is not yet in force is put in force as the
API would do it, step by step and audited: proposed, approved and activated by the first
signatory (a process owner), signed by each signatory for their side.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.definitions.resources import Document
from servicelevel.services.agreements import file_checks
from servicelevel.services.agreements import importing as agreement_import
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.as_code.kinds import KINDS, service_doc
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor, can_see_party, require
from servicelevel.services.intake import connections
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.errors import Invalid, NotFound, ServiceError

CHANNEL_FIELDS = {"kind": "type", "agreement_id": "agreement", "party_id": "party"}


@dataclass(frozen=True)
class Change:
    name: str  # "party CONTOSO", "SLA SLA-SN-2016"
    action: str  # created, updated, unchanged, kept, new_version, in_force
    diff: list[str]


class DocumentError(ServiceError):
    """A document the services refused, with the document (for its file and line)."""

    status = 422

    def __init__(self, document: Document, error: ServiceError) -> None:
        super().__init__(error.message, error.field)
        self.document = document
        self.status = error.status


def apply_documents(
    session: Session,
    *,
    actor: Actor,
    documents: Sequence[Document],
    dry_run: bool = False,
    sign_as: Sequence[str] = (),
    effective: dt.datetime | None = None,
) -> list[Change]:
    """Apply the documents in order; with ``sign_as`` put their agreements in force."""
    savepoint = session.begin_nested()
    try:
        changes = [_apply(session, actor, d) for d in documents]
        session.flush()
        if sign_as:
            codes = [str(d.data.get("id")) for d in documents if d.kind in ("SLA", "OLA", "UC")]
            changes += put_in_force(session, codes=codes, sign_as=sign_as, effective=effective)
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return changes


def _apply(session: Session, actor: Actor, document: Document) -> Change:
    try:
        if document.kind in ("SLA", "OLA", "UC"):
            return _agreement(session, actor, document)
        return _resource(session, actor, document)
    except ServiceError as exc:
        if exc.field and document.kind == "channel":
            exc.field = CHANNEL_FIELDS.get(exc.field, exc.field)
        if exc.field == "kind" and document.kind == "connection":
            exc.field = "type"  # the document's kind is "connection"; the source's is its type
        raise DocumentError(document, exc) from None


def _resource(session: Session, actor: Actor, document: Document) -> Change:
    kind = KINDS[document.kind]
    stored = kind.stored(session, document.data)
    before = kind.export(session, stored) if stored is not None else {}
    if before == document.data or (stored is not None and document.kind == "user"):
        return Change(document.name, "kept" if before != document.data else "unchanged", [])
    kind.write(session, actor, document.data, stored)
    session.flush()
    after = kind.export(session, kind.stored(session, document.data))
    action = "created" if stored is None else "updated"
    return Change(document.name, action, _diff(document.name, before, after))


def _agreement(session: Session, actor: Actor, document: Document) -> Change:
    """Through the agreement import — unless the newest version says what the file says: an
    agreement in force (or expired) would otherwise get a new version to compare with."""
    stored = agreement_repo.agreement_by_code(session, str(document.data.get("id")))
    if stored is not None and agreements.can_see(actor, stored):
        newest = agreements.latest(stored)
        before = agreements.export_document(
            session, actor=actor, agreement_id=stored.id, number=newest.number
        )
        if _content(before) == _content(document.data):
            return Change(document.name, "unchanged", [])
    result = agreement_import.import_document(session, actor=actor, document=document.data)
    return Change(document.name, result.action, result.diff)


def _content(document: dict[str, Any]) -> dict[str, Any]:
    """What an agreement document says, written one way (``when: {priority: P1}`` and
    ``{priority: [P1]}`` say the same)."""
    data = file_checks.validate(document).model_dump()
    for target in data.get("targets", []):
        when = target.get("when") or {}
        target["when"] = {k: v if isinstance(v, list) else [v] for k, v in when.items()}
    return data


def _diff(name: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = difflib.unified_diff(
        as_yaml(before).splitlines() if before else [],
        as_yaml(after).splitlines(),
        fromfile=f"{name} (stored)",
        tofile=f"{name} (file)",
        lineterm="",
    )
    return list(lines)


def put_in_force(
    session: Session,
    *,
    codes: Sequence[str],
    sign_as: Sequence[str],
    effective: dt.datetime | None = None,
) -> list[Change]:
    """Propose, approve, sign (once per signatory) and activate the newest version of each
    agreement that is not in force yet, as the signatories: the first one, a process owner,
    takes the provider's steps. ``effective``: when it comes into force (default: the start of
    its term, in its time zone)."""
    signatories = [_signatory(session, name) for name in sign_as]
    changes: list[Change] = []
    for code in codes:
        agreement = agreement_repo.agreement_by_code(session, code)
        if agreement is None:
            raise NotFound("no agreement {id}", id=code)
        newest = agreements.latest(agreement)
        if newest.state == "in_force":
            continue  # said "unchanged" already
        _steps(session, agreement.id, newest.number, signatories, effective or _term_start(newest))
        changes.append(Change(f"{agreement.kind} {code}", "in_force", [f"version {newest.number}"]))
    return changes


def _signatory(session: Session, username: str) -> Actor:
    user = identity_repo.user_by_name(session, username.strip())
    if user is None:
        raise Invalid("no user {name} to sign", "sign_as", name=username)
    return identity.actor_for(session, user)


def _term_start(version: Any) -> dt.datetime:
    if version.term_start is None:
        raise Invalid("give the term's start and end first", "term")
    start = dt.datetime.combine(version.term_start, dt.time(), ZoneInfo(version.timezone))
    return start.astimezone(dt.UTC)


def _steps(
    session: Session, agreement_id: int, number: int, signatories: list[Actor], at: dt.datetime
) -> None:
    owner = signatories[0]

    def step(name: str, actor: Actor) -> None:
        session.flush()
        found = agreements.get_version(
            session, actor=actor, agreement_id=agreement_id, number=number
        )[1]
        if name == "sign":
            agreement_lifecycle.sign(
                session,
                actor=actor,
                agreement_id=agreement_id,
                number=number,
                version=found.version,
            )
            return
        agreement_lifecycle.advance(
            session,
            actor=actor,
            agreement_id=agreement_id,
            number=number,
            version=found.version,
            step=name,
            effective=at,
        )

    state = agreements.get_version(session, actor=owner, agreement_id=agreement_id, number=number)
    if state[1].state == "draft":
        step("propose", owner)
    if state[1].state == "proposed":
        step("approve", owner)
    signed = {s.user_id for s in state[1].signatures}
    for signatory in signatories:
        if state[1].state == "approved" and signatory.user_id not in signed:
            step("sign", signatory)
    if state[1].state != "signed":
        raise Invalid(
            "version {number} is {state} after the signatures: name a signatory for each side",
            "sign_as",
            number=number,
            state=state[1].state,
        )
    step("activate", owner)


def export_documents(session: Session, *, actor: Actor) -> list[dict[str, Any]]:
    """Every party, calendar, service, stored mapping, agreement, connection and channel as a
    document ``apply`` reads
    (channels' secrets left out: they are sealed)."""
    out = [KINDS["party"].export(session, p) for p in _all(parties.list_parties, session, actor)]
    out += [
        KINDS["calendar"].export(session, c) for c in _all(calendars.list_calendars, session, actor)
    ]
    out += [service_doc(session, s) for s in _all(catalog.list_services, session, actor)]
    out += [
        agreement_import.export_by_code(session, actor=actor, code=a.code)
        for a in _all(agreements.list_agreements, session, actor)
    ]
    out += [
        KINDS["mapping"].export(session, ticket_mappings_store.stored(session, m.name))
        for m in ticket_mappings_store.list_mappings(session, actor=actor)
        if not m.shipped
    ]
    out += [
        KINDS["connection"].export(session, c)
        for c in connections.list_connections(session, actor=actor)
    ]
    channels = notifications.list_channels(session, actor=actor)
    return out + [KINDS["channel"].export(session, c) for c in channels]


def _all(listing: Any, session: Session, actor: Actor) -> list[Any]:
    """Every item of a paged listing, page by page."""
    found: list[Any] = []
    while True:
        page = listing(session, actor=actor, offset=len(found), limit=500)
        found += page.items
        if not page.items or len(found) >= page.total:
            return found


READ = {"party": "party.read", "calendar": "calendar.read", "service": "catalog.read"}


def document_of(session: Session, *, actor: Actor, kind: str, code: str) -> dict[str, Any]:
    """One party, calendar or service as the document ``apply`` reads (``slm party show``)."""
    require(actor, READ[kind])
    found = KINDS[kind].stored(session, {"code": code})
    if found is None or (kind == "party" and not can_see_party(actor, found.id)):
        raise NotFound("no {kind} {code}", kind=kind, code=code)
    return KINDS[kind].export(session, found)
