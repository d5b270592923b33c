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
the database keeps only the SHA-256 of the token, and a mail sent again carries a new token
(:mod:`servicelevel.services.reviews.invitation_mail`); answers are taken in
:mod:`servicelevel.services.reviews.invitation_answers`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, SurveyInvitation, SurveyPolicy
from servicelevel.db.models.survey_invitations import SURVEY_EVERY
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import survey_invitations as repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.printing import LOCALES
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.reviews.schedule import add_months
from servicelevel.services.shared.errors import Invalid, NotFound

TICKET_WINDOW = dt.timedelta(days=7)
RESOLVED = ("resolved", "closed")
REQUESTER_KEYS = ("requester_email", "caller_email", "contact_email")
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
