"""Satisfaction surveys sent, not only imported (issue 14; SLM5): each agreement's policy says
when its customer is asked, the worker invites and mails, and an answer — by a personal link,
or by a representative signed in — becomes a survey result like an imported one
(:mod:`servicelevel.services.satisfaction.surveys`), seen on review agendas and reports.

The rule (``survey_policy``, one per agreement; none: nobody is asked):

- **per period** (``every``: month or quarter): once the period has ended, each of the
  customer's contacts with an address and each of its representatives is asked once about
  it — whatever else they were asked (the period's survey is the baseline).
- **after resolved tickets** (``after_tickets``): a ticket of a covered service that reached
  a resolved or closed state in the last :data:`TICKET_WINDOW` asks its requester (the address
  in the ticket's ``requester_email``/``caller_email``/``contact_email``), unless that address
  was asked anything in the last ``quiet_days`` (so a busy requester is not asked after every
  ticket).

Each invitation has a key (agreement, period or ticket, address): the worker's rounds can run
any number of times and invite once. Links are single-use and expire after ``expires_days``;
the database keeps only the SHA-256 of the token, and a mail sent again carries a new token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, SurveyInvitation, SurveyPolicy, SurveyResult
from servicelevel.db.models.survey_invitations import SURVEY_EVERY
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import survey_invitations as repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.i18n import moments, translator
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.printing import LOCALES
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.notifications.notices import Message
from servicelevel.services.reviews.schedule import add_months
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

TICKET_WINDOW = dt.timedelta(days=7)
RESOLVED = ("resolved", "closed")
REQUESTER_KEYS = ("requester_email", "caller_email", "contact_email")
MAX_ATTEMPTS = 5  # tries to mail an invitation before it is given up
BATCH = 200  # invitations mailed per round
COMMENTS_LIMIT = 2000
POLICY_FIELDS = ("every", "after_tickets", "scale", "expires_days", "quiet_days", "language")


@dataclass(frozen=True)
class PolicyData:
    every: str = "month"
    after_tickets: bool = False
    scale: int = 5
    expires_days: int = 14
    quiet_days: int = 30
    language: str = "en"


def set_policy(
    session: Session, *, actor: Actor, agreement_id: int, data: PolicyData
) -> SurveyPolicy:
    """Say when the agreement's customer is asked (managers)."""
    require(actor, "survey.write")
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    _check_policy(data)
    policy = repo.policy_of(session, agreement.id)
    before = audit.snapshot(policy, POLICY_FIELDS) if policy else None
    if policy is None:
        policy = SurveyPolicy(agreement_id=agreement.id)
        session.add(policy)
    for name in POLICY_FIELDS:
        setattr(policy, name, getattr(data, name))
    session.flush()
    audit.record(
        session, actor, "survey_policy", policy, before, audit.snapshot(policy, POLICY_FIELDS)
    )
    return policy


def _check_policy(data: PolicyData) -> None:
    if data.every not in SURVEY_EVERY:
        raise Invalid("every must be one of none, month, quarter", "every")
    if not 2 <= data.scale <= 10:
        raise Invalid("the best score must be between 2 and 10", "scale")
    if not 1 <= data.expires_days <= 90:
        raise Invalid("a link expires after 1 to 90 days", "expires_days")
    if not 0 <= data.quiet_days <= 365:
        raise Invalid("the quiet time is 0 to 365 days", "quiet_days")
    if data.language not in LOCALES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")


def get_policy(session: Session, *, actor: Actor, agreement_id: int) -> SurveyPolicy:
    """The agreement's policy (none set: nobody is asked, a 404)."""
    require(actor, "survey.read")
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    policy = repo.policy_of(session, agreement.id)
    if policy is None:
        raise NotFound("agreement {code} has no survey policy", code=agreement.code)
    return policy


def invitations(session: Session, *, actor: Actor, agreement_id: int) -> list[SurveyInvitation]:
    """The agreement's invitations, newest first (staff: who was asked, sent, answered)."""
    require(actor, "survey.write")
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    return repo.of_agreement(session, agreement.id)


@dataclass(frozen=True)
class Invitee:
    email: str
    name: str
    language: str
    user_id: int | None = None


def invite_due(session: Session, *, now: dt.datetime) -> int:
    """Invite whoever the policies say is due (idempotent); returns how many were added."""
    found = agreement_repo.agreements_in_force(session)
    policies = repo.policies_of(session, [a.id for a in found])
    made = 0
    for agreement in found:
        policy = policies.get(agreement.id)
        if policy is not None:
            made += _periodic(session, policy, agreement, now)
            made += _after_tickets(session, policy, agreement, now)
    session.flush()
    return made


def last_period(every: str, local: dt.date) -> tuple[str, dt.date] | None:
    """The latest whole month or quarter ended by ``local`` (its label and first day)."""
    if every == "month":
        first = add_months(local.replace(day=1), -1)
        return f"{first.year:04d}-{first.month:02d}", first
    if every == "quarter":
        this = dt.date(local.year, (local.month - 1) // 3 * 3 + 1, 1)
        first = add_months(this, -3)
        return f"{first.year:04d}-Q{(first.month - 1) // 3 + 1}", first
    return None


def _periodic(
    session: Session, policy: SurveyPolicy, agreement: Agreement, now: dt.datetime
) -> int:
    version = agreements.current(agreement)
    local = now.astimezone(ZoneInfo(version.timezone)).date()
    due = last_period(policy.every, local)
    began = version.in_force_from
    if due is None or (
        began is not None
        and add_months(due[1], 3 if policy.every == "quarter" else 1) <= began.date()
    ):
        return 0
    label = due[0]
    people = _contacts(session, agreement.counterparty_id, policy.language)
    return _add(
        session,
        policy,
        agreement,
        now,
        [(f"period:{agreement.id}:{label}:{p.email.lower()}", p, label, None) for p in people],
    )


def _contacts(session: Session, party_id: int, language: str) -> list[Invitee]:
    """The customer's contacts with an address and its representatives, once per address
    (a representative in their own language)."""
    out: dict[str, Invitee] = {}
    for user, _ in identity_repo.representatives(session, party_id):
        if _address(user.email):
            out.setdefault(
                user.email.lower(),
                Invitee(user.email, user.display_name or user.username, _tag(user.locale), user.id),
            )
    for contact in repo.contacts_with_email(session, party_id):
        if _address(contact.email):
            out.setdefault(contact.email.lower(), Invitee(contact.email, contact.name, language))
    return list(out.values())


def _tag(locale: str) -> str:
    tag = (locale or "en").replace("_", "-")
    return tag if tag in LOCALES else "en"


def _address(raw: str) -> bool:
    email = parseaddr(raw or "")[1]
    return "@" in email and " " not in raw.strip() and len(raw) <= 320


def _after_tickets(
    session: Session, policy: SurveyPolicy, agreement: Agreement, now: dt.datetime
) -> int:
    if not policy.after_tickets:
        return 0
    version = agreements.current(agreement)
    services = catalog_repo.services_by_ids(session, [s.service_id for s in version.services])
    found = repo.resolved_tickets(
        session,
        agreement.counterparty_id,
        [s.code for s in services],
        RESOLVED,
        now - TICKET_WINDOW,
        now,
    )
    asks = [(t, _requester(t.attributes)) for t in found]
    asks = [(t, e) for t, e in asks if e]
    quiet = (
        repo.invited_since(
            session, [e for _, e in asks], now - dt.timedelta(days=policy.quiet_days)
        )
        if policy.quiet_days
        else set()
    )
    rows: list[tuple[str, Invitee, str, int | None]] = []
    for ticket, email in asks:
        if email.lower() in quiet:
            continue
        quiet.add(email.lower())  # one per address per round, too
        person = Invitee(email, "", policy.language)
        rows.append((f"ticket:{ticket.id}:{email.lower()}", person, "", ticket.id))
    return _add(session, policy, agreement, now, rows)


def _requester(attributes: dict[str, Any]) -> str:
    for key in REQUESTER_KEYS:
        value = attributes.get(key) if isinstance(attributes, dict) else None
        if isinstance(value, str) and _address(value):
            return value.strip()
    return ""


def _add(
    session: Session,
    policy: SurveyPolicy,
    agreement: Agreement,
    now: dt.datetime,
    rows: list[tuple[str, Invitee, str, int | None]],
) -> int:
    known = repo.known_keys(session, [key for key, *_ in rows])
    made = 0
    for key, person, period, ticket_id in rows:
        if key in known:
            continue
        known.add(key)
        session.add(
            SurveyInvitation(
                agreement_id=agreement.id,
                party_id=agreement.counterparty_id,
                ticket_id=ticket_id,
                period=period,
                email=person.email,
                name=person.name[:200],
                user_id=person.user_id,
                language=person.language,
                scale=policy.scale,
                key=key[:400],
                expires_at=now + dt.timedelta(days=policy.expires_days),
                created_at=now,
            )
        )
        made += 1
    return made


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
