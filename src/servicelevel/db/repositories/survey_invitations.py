"""Queries about satisfaction survey policies and invitations."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from servicelevel.db.models import Contact, SurveyInvitation, SurveyPolicy, Ticket


def policy_of(session: Session, agreement_id: int) -> SurveyPolicy | None:
    query = select(SurveyPolicy).where(SurveyPolicy.agreement_id == agreement_id)
    return session.scalars(query).first()


def policies_of(session: Session, agreement_ids: Collection[int]) -> dict[int, SurveyPolicy]:
    query = select(SurveyPolicy).where(SurveyPolicy.agreement_id.in_(list(agreement_ids)))
    return {p.agreement_id: p for p in session.scalars(query)}


def contacts_with_email(session: Session, party_id: int) -> list[Contact]:
    query = select(Contact).where(Contact.party_id == party_id, Contact.email != "")
    return list(session.scalars(query.order_by(Contact.id)))


def known_keys(session: Session, keys: Collection[str]) -> set[str]:
    if not keys:
        return set()
    query = select(SurveyInvitation.key).where(SurveyInvitation.key.in_(list(keys)))
    return {str(k) for k in session.scalars(query)}


def invited_since(session: Session, emails: Collection[str], since: dt.datetime) -> set[str]:
    """The addresses (lower case) invited to any survey since ``since``."""
    if not emails:
        return set()
    query = select(func.lower(SurveyInvitation.email)).where(
        func.lower(SurveyInvitation.email).in_([e.lower() for e in emails]),
        SurveyInvitation.created_at >= since,
    )
    return {str(e) for e in session.scalars(query)}


def resolved_tickets(
    session: Session,
    customer_id: int,
    services: Collection[str],
    states: Collection[str],
    since: dt.datetime,
    until: dt.datetime,
) -> list[Ticket]:
    """The customer's tickets of these services whose last event — into one of ``states``
    (compared in lower case) — came in ``[since, until)``."""
    query = select(Ticket).where(
        Ticket.customer_id == customer_id,
        Ticket.service.in_(list(services)),
        func.lower(Ticket.state).in_(list(states)),
        Ticket.last_event_at >= since,
        Ticket.last_event_at < until,
    )
    return list(session.scalars(query.order_by(Ticket.last_event_at, Ticket.id)))


def to_send(
    session: Session, now: dt.datetime, attempts: int, limit: int
) -> list[SurveyInvitation]:
    """Invitations not sent yet (fewer than ``attempts`` tries), not answered, not expired;
    locked so that two workers do not send the same one."""
    query = (
        select(SurveyInvitation)
        .where(
            SurveyInvitation.sent_at.is_(None),
            SurveyInvitation.answered_at.is_(None),
            SurveyInvitation.attempts < attempts,
            SurveyInvitation.expires_at > now,
        )
        .order_by(SurveyInvitation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def by_token_hash(session: Session, digest: str) -> SurveyInvitation | None:
    return session.scalars(
        select(SurveyInvitation).where(SurveyInvitation.token_hash == digest)
    ).first()


def by_id(session: Session, invitation_id: int) -> SurveyInvitation | None:
    return session.get(SurveyInvitation, invitation_id)


def mark_answered(session: Session, invitation_id: int, at: dt.datetime) -> bool:
    """Claim the invitation's one answer: False when another answer took it first."""
    query = (
        update(SurveyInvitation)
        .where(SurveyInvitation.id == invitation_id, SurveyInvitation.answered_at.is_(None))
        .values(answered_at=at)
        .execution_options(synchronize_session=False)
    )
    done = session.execute(query)
    return int(done.rowcount) == 1  # type: ignore[attr-defined]


def open_for(
    session: Session, user_id: int, email: str, now: dt.datetime
) -> list[SurveyInvitation]:
    """A signed-in person's invitations that are sent, unanswered and unexpired."""
    mine = SurveyInvitation.user_id == user_id
    if email.strip():
        mine = mine | (func.lower(SurveyInvitation.email) == email.strip().lower())
    query = select(SurveyInvitation).where(
        mine,
        SurveyInvitation.sent_at.is_not(None),
        SurveyInvitation.answered_at.is_(None),
        SurveyInvitation.expires_at > now,
    )
    return list(session.scalars(query.order_by(SurveyInvitation.id)))


def of_agreement(session: Session, agreement_id: int, limit: int = 200) -> list[SurveyInvitation]:
    query = select(SurveyInvitation).where(SurveyInvitation.agreement_id == agreement_id)
    return list(session.scalars(query.order_by(SurveyInvitation.id.desc()).limit(limit)))
