"""Agreements (SLM3): SLAs, OLAs and UCs, written and negotiated as versions.

A version is edited while it is a draft. Negotiation moves through new versions (each a copy
of the one before, with a note of what changed) and comments on clauses; lifecycle steps live
in :mod:`servicelevel.services.agreements.lifecycle`, and reading agreements (what a person
may see, which version speaks when) in :mod:`servicelevel.services.agreements.reading`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import Agreement, AgreementComment, AgreementVersion
from servicelevel.db.models.agreements import REVIEW_FREQUENCIES
from servicelevel.db.repositories import agreements as repo
from servicelevel.services.agreements import file_checks
from servicelevel.services.agreements import files as documents
from servicelevel.services.agreements.clauses import check_clause
from servicelevel.services.agreements.reading import (
    current,
    derive_status,
    document_for,
    get_agreement,
    get_version,
    latest,
)
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid
from servicelevel.services.shared.validation import known_user, text

FIELDS = (
    "code",
    "kind",
    "title",
    "titles",
    "provider",
    "counterparty_id",
    "manager_id",
    "status",
    "review_frequency",
    "notice_days",
)
VERSION_FIELDS = ("number", "state", "note", "term_start", "term_end", "timezone")


KEYED_CLAUSES = ("targets", "availability", "credits")  # lists of clauses with an id


def version_snapshot(version: AgreementVersion) -> dict[str, Any]:
    out = audit.snapshot(version, VERSION_FIELDS)
    out["targets"] = [t.key for t in version.targets]
    return out


def version_content(
    session: Session, agreement: Agreement, version: AgreementVersion
) -> dict[str, Any]:
    """What a version says, for the audit trail: its number, state and note, and its document
    (term, services, calendars, clocks, targets, credits…) with each clause under its id, so
    that a change names the clause it touched."""
    document = document_for(session, agreement, version)
    for name in KEYED_CLAUSES:
        document[name] = {
            c["id"]: {k: v for k, v in c.items() if k != "id"} for c in document[name]
        }
    return {"number": version.number, "state": version.state, "note": version.note, **document}


def create_agreement(
    session: Session,
    *,
    actor: Actor,
    document: dict[str, Any],
    manager_id: int | None = None,
    note: str = "",
) -> Agreement:
    """A new agreement whose first version (a draft) holds ``document``."""
    require(actor, "agreement.write")
    model = file_checks.validate(document)
    header = documents.read_header(session, model)
    content = documents.read_content(session, model)
    if repo.agreement_by_code(session, header.code) is not None:
        raise Conflict("an agreement with id {code} exists already", "id", code=header.code)
    _check_manager(session, manager_id)
    agreement = Agreement(
        code=header.code,
        kind=header.kind,
        title=header.title,
        titles=header.titles,
        provider=header.provider,
        counterparty_id=header.counterparty.id,
        manager_id=manager_id,
        review_frequency=header.review_frequency,
        status="draft",
    )
    version = AgreementVersion(
        number=1, state="draft", note=text(note, "note"), created_by_id=actor.user_id
    )
    documents.fill(version, content)
    agreement.versions = [version]
    session.add(agreement)
    audit.record(session, actor, "create", agreement, None, audit.snapshot(agreement, FIELDS))
    return agreement


def _check_manager(session: Session, manager_id: int | None) -> None:
    known_user(session, manager_id, "manager_id")


def _editable(
    session: Session, actor: Actor, agreement_id: int, number: int, version: int
) -> tuple[Agreement, AgreementVersion]:
    require(actor, "agreement.write")
    agreement, found = get_version(session, actor=actor, agreement_id=agreement_id, number=number)
    audit.check_version(found, version)
    if found.state != "draft":
        raise Conflict(
            "version {number} of {code} is {state}; start a new version to change it",
            "state",
            number=number,
            code=agreement.code,
            state=found.state,
        )
    return agreement, found


def edit_version(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    number: int,
    version: int,
    document: dict[str, Any],
    note: str | None = None,
) -> AgreementVersion:
    """Replace the content of a draft version with ``document`` (title, provider and review
    frequency in it update the agreement too; its id, kind and counterparty cannot change)."""
    agreement, found = _editable(session, actor, agreement_id, number, version)
    model = file_checks.validate(document)
    header = documents.read_header(session, model)
    if (header.code, header.kind, header.counterparty.id) != (
        agreement.code,
        agreement.kind,
        agreement.counterparty_id,
    ):
        raise Invalid(
            "the document is for another agreement: id, kind and counterparty cannot change",
            "id",
        )
    content = documents.read_content(session, model)
    before = version_content(session, agreement, found)
    agreement.title, agreement.titles = header.title, header.titles
    agreement.provider, agreement.review_frequency = header.provider, header.review_frequency
    found.services, found.calendars, found.targets, found.credits = [], [], [], []
    session.flush()  # the old rows go first: kept keys would otherwise collide
    documents.fill(found, content)
    if note is not None:
        found.note = text(note, "note")
    after = version_content(session, agreement, found)
    audit.record(session, actor, "update", found, *audit.changed_parts(before, after, ("number",)))
    return found


def new_version(
    session: Session, *, actor: Actor, agreement_id: int, version: int, note: str = ""
) -> AgreementVersion:
    """A new draft copied from the newest version: a counter-proposal during negotiation
    (the proposal it answers is withdrawn), or a change to a signed agreement."""
    require(actor, "agreement.write")
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    audit.check_version(agreement, version)
    base = latest(agreement)
    if base.state == "draft":
        raise Conflict(
            "version {number} of {code} is still a draft; change it instead",
            "state",
            number=base.number,
            code=agreement.code,
        )
    if agreement.status in ("terminated", "expired", "renewed"):
        raise Conflict(
            "agreement {code} is {status}", "status", code=agreement.code, status=agreement.status
        )
    if base.state in ("proposed", "approved"):
        base.state = "withdrawn"
    copy = copy_version(base, number=base.number + 1)
    copy.note = text(note, "note")
    copy.created_by_id = actor.user_id
    agreement.versions.append(copy)
    agreement.status = derive_status(agreement, utcnow().date())
    audit.record(session, actor, "new_version", agreement, None, version_snapshot(copy))
    return copy


def copy_version(base: AgreementVersion, *, number: int) -> AgreementVersion:
    """A draft with ``base``'s content (term, services, calendars, clocks, targets, credits)."""
    columns = (
        "term_start",
        "term_end",
        "timezone",
        "fee_amount",
        "fee_currency",
        "fee_per",
        "credit_cap",
        "clocks",
        "responsibilities",
        "escalation",
        "description",
    )
    copy = AgreementVersion(number=number, state="draft", **{c: getattr(base, c) for c in columns})
    content = documents.Content(
        columns={},
        service_ids=[s.service_id for s in base.services],
        calendars={c.key: c.calendar_id for c in base.calendars},
        targets=[documents.copy_row(t) for t in base.targets],
        credits=[documents.copy_row(c) for c in base.credits],
    )
    documents.fill(copy, content)
    return copy


def update_header(
    session: Session, *, actor: Actor, agreement_id: int, version: int, changes: dict[str, Any]
) -> Agreement:
    """Who manages the agreement, how often it is reviewed, how long before its end it counts
    as expiring."""
    require(actor, "agreement.write")
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    audit.check_version(agreement, version)
    before = audit.snapshot(agreement, FIELDS)
    if "manager_id" in changes:
        _check_manager(session, changes["manager_id"])
        agreement.manager_id = changes["manager_id"]
    if "review_frequency" in changes:
        if changes["review_frequency"] not in REVIEW_FREQUENCIES:
            raise Invalid(
                "review must be one of monthly, quarterly, half_yearly, yearly",
                "review_frequency",
            )
        agreement.review_frequency = changes["review_frequency"]
    if "notice_days" in changes:
        days = changes["notice_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 0 <= days <= 730:
            raise Invalid("notice_days is a number of days from 0 to 730", "notice_days")
        agreement.notice_days = days
    audit.record_update(session, actor, agreement, before, audit.snapshot(agreement, FIELDS))
    return agreement


def renew(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    version: int,
    code: str,
    start: dt.date,
    end: dt.date,
) -> Agreement:
    """A renewal: a new agreement (a draft) with the current version's content for the next
    term; the old one is marked renewed once its own term has ended."""
    require(actor, "agreement.write")
    old = get_agreement(session, actor=actor, agreement_id=agreement_id)
    audit.check_version(old, version)
    if old.renewed_by_id is not None:
        raise Conflict("agreement {code} is renewed already", "status", code=old.code)
    if end < start:
        raise Invalid("the term ends before it starts", "end")
    document = document_for(session, old, current(old))
    document.update(id=code, term={"start": start.isoformat(), "end": end.isoformat()})
    made = create_agreement(
        session,
        actor=actor,
        document=document,
        manager_id=old.manager_id,
        note=f"renewal of {old.code}",
    )
    session.flush()
    before = audit.snapshot(old, FIELDS)
    old.renewed_by_id = made.id
    old.status = derive_status(old, utcnow().date())
    audit.record(session, actor, "renew", old, before, audit.snapshot(old, FIELDS))
    return made


def add_comment(
    session: Session, *, actor: Actor, agreement_id: int, number: int, clause: str, body: str
) -> AgreementComment:
    """A negotiation comment on a clause of a version (``targets.P1-resolution``, ``term``…;
    empty: the whole agreement); a clause the version does not have is refused (422)."""
    require(actor, "agreement.comment")
    agreement, found = get_version(session, actor=actor, agreement_id=agreement_id, number=number)
    if found.state not in ("draft", "proposed", "approved"):
        raise Conflict(
            "version {number} of {code} is {state}; comments are for versions under negotiation",
            "state",
            number=number,
            code=agreement.code,
            state=found.state,
        )
    chosen = check_clause(
        document_for(session, agreement, found), text(clause, "clause", limit=200)
    )
    if isinstance(body, str) and not body.strip():
        raise Invalid("write the comment: it is empty", "body")
    comment = AgreementComment(
        version_id=found.id,
        clause=chosen,
        body=text(body, "body", required=True, limit=4000),
        author_id=actor.user_id,
    )
    session.add(comment)
    audit.record(session, actor, "comment", comment, None, {"clause": comment.clause})
    return comment
