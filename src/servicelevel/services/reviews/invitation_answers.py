"""Answers to survey invitations (issue 14): by the personal link (no login: the link is the
permission) or by a representative signed in; the answer becomes a survey result like an
imported one (:mod:`servicelevel.services.satisfaction.surveys`), on the agreement's day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from servicelevel.db.models import SurveyInvitation, SurveyResult
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import survey_invitations as repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.reviews.invitation_mail import digest
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

COMMENTS_LIMIT = 2000


def open_invitation(session: Session, *, token: str, now: dt.datetime) -> SurveyInvitation:
    """The invitation a link's token opens; the same answer for a token never made and one
    whose mail failed (no existence leak), a clear one for answered and expired links."""
    if not token or len(token) > 100:
        raise NotFound("this survey link is not known")
    invitation = repo.by_token_hash(session, digest(token))
    if invitation is None or invitation.sent_at is None:
        raise NotFound("this survey link is not known")
    if invitation.answered_at is not None:
        raise Conflict("this survey has been answered already; thank you", "token")
    if invitation.expires_at <= now:
        raise Conflict("this survey link has expired", "token")
    return invitation


@dataclass(frozen=True)
class Reply:
    score: int
    comments: str = ""


def answer_by_link(
    session: Session, *, token: str, reply: Reply, now: dt.datetime | None = None
) -> SurveyResult:
    """Store the answer given by a personal link (no login: the link is the permission)."""
    moment = now or dt.datetime.now(dt.UTC)
    invitation = open_invitation(session, token=token, now=moment)
    return _answer(session, invitation, reply, moment)


def mine(
    session: Session, *, actor: Actor, now: dt.datetime | None = None
) -> list[SurveyInvitation]:
    """The signed-in person's surveys to answer (sent to their account or address)."""
    require(actor, "survey.read")
    if actor.user_id is None:
        return []
    user = identity_repo.user_by_id(session, actor.user_id)
    email = user.email if user else ""
    return repo.open_for(session, actor.user_id, email, now or dt.datetime.now(dt.UTC))


def answer_signed_in(
    session: Session,
    *,
    actor: Actor,
    invitation_id: int,
    reply: Reply,
    now: dt.datetime | None = None,
) -> SurveyResult:
    """A representative answers their invitation from the web UI, signed in."""
    moment = now or dt.datetime.now(dt.UTC)
    found = {i.id: i for i in mine(session, actor=actor, now=moment)}
    invitation = found.get(invitation_id)
    if invitation is None:
        raise NotFound("no survey {id} to answer", id=invitation_id)
    return _answer(session, invitation, reply, moment)


def _answer(
    session: Session, invitation: SurveyInvitation, reply: Reply, now: dt.datetime
) -> SurveyResult:
    if not 1 <= reply.score <= invitation.scale:
        raise Invalid("choose a score from 1 to {scale}", "score", scale=invitation.scale)
    comments = (reply.comments or "").replace("\x00", "").strip()
    if len(comments) > COMMENTS_LIMIT:
        raise Invalid(
            "comments are limited to {limit} characters", "comments", limit=COMMENTS_LIMIT
        )
    if not repo.mark_answered(session, invitation.id, now):
        raise Conflict("this survey has been answered already; thank you", "token")
    agreement = agreements.get_agreement(
        session, actor=SYSTEM, agreement_id=invitation.agreement_id
    )
    day = now.astimezone(ZoneInfo(agreements.current(agreement).timezone)).date()
    result = surveys.record(
        session,
        actor=SYSTEM,
        answer=surveys.Answer(
            invitation.party_id,
            day,
            reply.score,
            invitation.scale,
            respondent=(invitation.name or invitation.email)[:200],
            comments=comments,
            key=f"invitation:{invitation.id}",
        ),
        source="invitation",
    )
    session.flush()
    session.refresh(invitation)
    invitation.survey_id = result.id
    session.flush()
    return result
