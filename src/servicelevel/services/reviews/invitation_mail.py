"""The survey invitations' mail (issue 14): each round claims the invitations not yet sent,
gives each a new single-use token (only its SHA-256 is kept), writes the message in the
invitee's language with the personal link, and records what was sent or why not.

Who is invited is decided in :mod:`servicelevel.services.reviews.invitations`; the link's
answer is taken in :mod:`servicelevel.services.reviews.invitation_answers`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import SurveyInvitation
from servicelevel.db.repositories import survey_invitations as repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.i18n import moments, translator
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.notifications.notices import Message

MAX_ATTEMPTS = 5  # tries to mail an invitation before it is given up
BATCH = 200  # invitations mailed per round


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Parcel:
    """An invitation to mail: its link's token exists here and in the mail only."""

    invitation_id: int
    email: str
    language: str
    token: str
    facts: dict[str, str]


def claim_unsent(session: Session, *, now: dt.datetime) -> list[Parcel]:
    """Invitations to mail now, each with a new token (the caller commits, mails, then
    :func:`record_sent`); the link's lifetime counts from this send."""
    out = []
    for invitation in repo.to_send(session, now, MAX_ATTEMPTS, BATCH):
        token = secrets.token_urlsafe(32)
        lifetime = invitation.expires_at - invitation.created_at
        invitation.token_hash = digest(token)
        invitation.attempts += 1
        invitation.expires_at = now + lifetime
        out.append(
            Parcel(
                invitation.id,
                invitation.email,
                invitation.language,
                token,
                _facts(session, invitation, now),
            )
        )
    session.flush()
    return out


def _facts(session: Session, invitation: SurveyInvitation, now: dt.datetime) -> dict[str, str]:
    agreement = agreements.get_agreement(
        session, actor=SYSTEM, agreement_id=invitation.agreement_id
    )
    titles = agreement.titles if isinstance(agreement.titles, dict) else {}
    ticket = ""
    if invitation.ticket_id is not None:
        heads = monitoring_heads(session, [invitation.ticket_id])
        ticket = heads.get(invitation.ticket_id, "")
    return {
        "agreement": agreement.code,
        "agreement_name": str(titles.get(invitation.language) or agreement.title),
        "period": invitation.period,
        "ticket": ticket,
        "name": invitation.name,
        "expires_at": invitation.expires_at.isoformat(),
        "now": now.isoformat(),
        "timezone": agreements.current(agreement).timezone,
    }


def monitoring_heads(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    """``ticket id → its number`` in the source system."""
    return {
        i: str(h.get("ticket", ""))
        for i, h in monitoring_repo.ticket_heads(session, ticket_ids).items()
    }


def record_sent(session: Session, results: dict[int, str | None], *, now: dt.datetime) -> int:
    """Write down each mail: sent, or why not (tried again next round, up to the limit)."""
    sent = 0
    for invitation_id, error in results.items():
        invitation = repo.by_id(session, invitation_id)
        if invitation is None:
            continue
        if error is None:
            invitation.sent_at, invitation.error = now, ""
            sent += 1
        else:
            invitation.token_hash, invitation.error = None, error[:1000]
    session.flush()
    return sent


def message(parcel: Parcel, base_url: str) -> Message:
    """The invitation's mail in the invitee's language: what it is about, the personal link,
    until when it works, and when it was sent (in the agreement's zone, named)."""
    locale = parcel.language.replace("-", "_")
    t = translator(locale)
    facts, zone = parcel.facts, parcel.facts.get("timezone", "UTC")
    link = f"{base_url.rstrip('/')}/survey/{parcel.token}"
    subject = t.gettext("How satisfied are you with {agreement_name}?").format(**facts)
    about = (
        t.gettext("The survey is about ticket {ticket}.")
        if facts.get("ticket")
        else t.gettext("The survey is about {period}.")
    ).format(**facts)
    lines = [
        t.gettext(
            "Please tell us how satisfied you are with {agreement_name} ({agreement})."
        ).format(**facts),
        about,
        t.gettext("Answer here (the link works once): {link}").format(link=link),
        t.gettext("The link expires on {when}.").format(
            when=moments.named(facts["expires_at"], locale, zone)
        ),
    ]
    sent = t.gettext("Sent by servicelevel at {now}").format(
        now=moments.named(facts["now"], locale, zone)
    )
    text = "\n".join([*lines, "", sent])
    return Message(subject, f"{subject}\n\n{text}", text)
