"""Reading agreements (SLM3): which agreements and versions a person may see, which version
speaks for an agreement (in force at an instant, the current one), the agreement's lifecycle
state as its versions and dates give it, a version as an agreement file, and the negotiation
comments.

Representatives see the agreements of their own party only, and never the provider's
unpublished drafts. Writing agreements and their versions is
:mod:`servicelevel.services.agreements.authoring`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementComment, AgreementVersion
from servicelevel.db.models.agreements import AGREEMENT_KINDS, AGREEMENT_STATES
from servicelevel.db.repositories import agreements as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.agreements import file_writing
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import NotFound

KINDS = AGREEMENT_KINDS
STATES = AGREEMENT_STATES


def can_see(actor: Actor, agreement: Agreement) -> bool:
    return not actor.scoped or agreement.counterparty_id in actor.parties


def get_agreement(session: Session, *, actor: Actor, agreement_id: int) -> Agreement:
    require(actor, "agreement.read")
    agreement = repo.agreement_by_id(session, agreement_id)
    if agreement is None or not can_see(actor, agreement):
        raise NotFound("no agreement {id}", id=agreement_id)
    return agreement


def visible_versions(actor: Actor, agreement: Agreement) -> list[AgreementVersion]:
    """The versions ``actor`` may read: representatives do not see the provider's drafts."""
    if not actor.scoped:
        return list(agreement.versions)
    return [v for v in agreement.versions if v.state != "draft"]


def get_version(
    session: Session, *, actor: Actor, agreement_id: int, number: int
) -> tuple[Agreement, AgreementVersion]:
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    for version in visible_versions(actor, agreement):
        if version.number == number:
            return agreement, version
    raise NotFound("agreement {code} has no version {number}", code=agreement.code, number=number)


def latest(agreement: Agreement) -> AgreementVersion:
    return agreement.versions[-1]


def in_force(agreement: Agreement) -> AgreementVersion | None:
    return next((v for v in reversed(agreement.versions) if v.state == "in_force"), None)


def version_at(agreement: Agreement, instant: dt.datetime) -> AgreementVersion | None:
    """The version in force at ``instant`` — the one a ticket started then is measured under."""
    for version in agreement.versions:
        start, end = version.in_force_from, version.in_force_until
        if start is not None and start <= instant and (end is None or instant < end):
            return version
    return None


def versions_at(agreement: Agreement, instants: np.ndarray) -> np.ndarray:
    """:func:`version_at` for many instants (epoch seconds): each one's version number, 0 where
    none was in force."""
    numbers = np.zeros(instants.size, dtype=np.int64)
    for version in agreement.versions:
        start, end = version.in_force_from, version.in_force_until
        if start is None:
            continue
        hit = (numbers == 0) & (instants >= int(start.timestamp()))
        if end is not None:
            hit &= instants < int(end.timestamp())
        numbers[hit] = version.number
    return numbers


def current(agreement: Agreement) -> AgreementVersion:
    """The version that speaks for the agreement: the one in force, else the newest."""
    return in_force(agreement) or latest(agreement)


def derive_status(agreement: Agreement, today: dt.date) -> str:
    """The agreement's lifecycle state from its versions and dates: terminated when so recorded;
    else, with a version in force, active, expiring (within ``notice_days`` of the term's end),
    and after the end expired — or renewed, when a renewal follows it; else the state of the
    negotiation."""
    if agreement.terminated_at is not None:
        return "terminated"
    force = in_force(agreement)
    if force is not None:
        end = force.term_end
        if end is not None and today > end:
            return "renewed" if agreement.renewed_by_id is not None else "expired"
        if end is not None and today >= end - dt.timedelta(days=agreement.notice_days):
            return "expiring"
        return "active"
    state = latest(agreement).state
    if state == "draft" and len(agreement.versions) == 1:
        return "draft"
    return {"approved": "approved", "signed": "signed"}.get(state, "in_negotiation")


def list_agreements(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    status: str | None = None,
    counterparty_id: int | None = None,
    service_id: int | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Agreement]:
    require(actor, "agreement.read")
    return repo.list_agreements(
        session,
        kind=kind,
        status=status,
        counterparty_id=counterparty_id,
        service_id=service_id,
        search=search,
        only=actor.parties if actor.scoped else None,
        offset=offset,
        limit=limit,
    )


def comments(session: Session, *, actor: Actor, agreement_id: int) -> list[AgreementComment]:
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    return repo.comments_of(session, [v.id for v in visible_versions(actor, agreement)])


def export_document(
    session: Session, *, actor: Actor, agreement_id: int, number: int | None = None
) -> dict[str, Any]:
    """A version (default: the current one) as an agreement file."""
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    if number is None:
        visible = visible_versions(actor, agreement)
        if not visible:
            raise NotFound("agreement {code} has no version you may read", code=agreement.code)
        found = current(agreement) if current(agreement) in visible else visible[-1]
    else:
        found = get_version(session, actor=actor, agreement_id=agreement_id, number=number)[1]
    return document_for(session, agreement, found)


def document_for(
    session: Session, agreement: Agreement, version: AgreementVersion
) -> dict[str, Any]:
    parties, services, calendars = repo.codes(
        session,
        {agreement.counterparty_id},
        {s.service_id for s in version.services},
        {c.calendar_id for c in version.calendars if c.calendar_id is not None},
    )
    names = file_writing.Names(parties[agreement.counterparty_id], services, calendars)
    return file_writing.document_of(agreement, version, names)
