"""Satisfaction surveys sent (issue 14): per period to the customer's contacts and
representatives, after resolved tickets to the requester (with a quiet time), mailed by the
worker to a real SMTP server on loopback with a personal, single-use, expiring link whose
token is stored only as a hash; the answer becomes a survey result like an imported one.

The SLA of the fixtures is in force from 2026-01-01 in Asia/Shanghai; the scenario's clock
stands at 2026-12-03 10:00 UTC, so the month just ended is 2026-11.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.db.models import Contact, SurveyInvitation, SurveyResult, Ticket
from servicelevel.jobs import worker
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reviews import invitation_answers, invitation_mail
from servicelevel.services.reviews import invitations as survey_invitations
from servicelevel.services.reviews.invitation_answers import Reply
from servicelevel.services.reviews.invitations import PolicyData
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from servicelevel.settings import get_settings
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import add_ticket
from tests.integration.receivers import Mailbox, smtp_server

NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def mailbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with smtp_server() as (port, box):
        monkeypatch.setenv("SLM_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SLM_SMTP_PORT", str(port))
        monkeypatch.setenv("SLM_PUBLIC_URL", "https://slm.example.com")
        get_settings.cache_clear()
        yield box
    get_settings.cache_clear()


@pytest.fixture
def asked(session: Session, world: World, sla_in_force: int) -> int:
    """A monthly policy; Acme has a representative (in 简体中文) and a contact with addresses,
    and a contact without one."""
    identity.create_user(
        session,
        actor=SYSTEM,
        username="wang",
        password="a long enough password 1",
        roles=[RoleGrant("customer_representative", "ACME")],
        email="wang@acme.example",
        locale="zh_Hans",
    )
    session.add_all(
        [
            Contact(party_id=world.acme_id, name="Ops desk", email="ops@acme.example"),
            Contact(party_id=world.acme_id, name="Phone only", email=""),
        ]
    )
    survey_invitations.set_policy(
        session, actor=world.actors["manager"], agreement_id=sla_in_force, data=PolicyData()
    )
    session.flush()
    return sla_in_force


def sessions_of(session: Session) -> sessionmaker[Session]:
    return sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")


def token_in(text: str) -> str:
    found = re.search(r"https://slm\.example\.com/survey/([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def body_of(mail: object) -> str:
    part = mail.get_body(preferencelist=("plain",))  # type: ignore[attr-defined]
    assert part is not None
    return str(part.get_content())


def test_the_month_just_ended_is_asked_once_of_each_address(session: Session, asked: int) -> None:
    assert survey_invitations.invite_due(session, now=NOW) == 2
    assert survey_invitations.invite_due(session, now=NOW + dt.timedelta(days=3)) == 0
    found = session.scalars(select(SurveyInvitation).order_by(SurveyInvitation.email)).all()
    assert [(i.email, i.period, i.language) for i in found] == [
        ("ops@acme.example", "2026-11", "en"),
        ("wang@acme.example", "2026-11", "zh-Hans"),
    ]
    january = dt.datetime(2027, 1, 2, tzinfo=dt.UTC)
    assert survey_invitations.invite_due(session, now=january) == 2  # December's, now


def test_the_worker_mails_a_personal_link_whose_answer_is_a_survey_result(
    session: Session, world: World, asked: int, mailbox: Mailbox
) -> None:
    done = worker.survey_round(sessions_of(session))
    assert done == {"surveys_invited": 2, "surveys_sent": 2}
    by_to = {m["To"]: m for m in mailbox.messages}
    chinese = body_of(by_to["wang@acme.example"])
    assert by_to["wang@acme.example"]["Subject"] == "您对阿克米邮件服务的满意度如何？"
    assert "由 servicelevel 于 —" not in chinese
    token = token_in(chinese)
    stored = session.scalars(select(SurveyInvitation.token_hash)).all()
    assert token not in stored
    assert invitation_mail.digest(token) in stored
    result = invitation_answers.answer_by_link(
        session, token=token, reply=Reply(4, "Quick fixes"), now=NOW
    )
    assert (result.score, result.scale, result.source) == (4, 5, "invitation")
    assert (result.party_id, result.answered_on) == (world.acme_id, dt.date(2026, 12, 3))
    summary = surveys.summarise(
        surveys.between(session, world.acme_id, dt.date(2026, 12, 1), dt.date(2027, 1, 1))
    )
    assert summary.count == 1
    assert summary.mean == pytest.approx(0.8)
    with pytest.raises(Conflict):  # single use
        invitation_answers.answer_by_link(session, token=token, reply=Reply(5), now=NOW)
    assert session.scalars(select(SurveyResult)).all() == [result]
    assert worker.survey_round(sessions_of(session))["surveys_sent"] == 0  # mailed once


def test_a_link_expires_is_not_guessable_and_bounds_its_answer(
    session: Session, asked: int, mailbox: Mailbox
) -> None:
    worker.survey_round(sessions_of(session))
    token = token_in(body_of(mailbox.messages[0]))
    with pytest.raises(NotFound):
        invitation_answers.open_invitation(session, token=token[:-1] + "x", now=NOW)
    with pytest.raises(Invalid) as low:
        invitation_answers.answer_by_link(session, token=token, reply=Reply(0))
    assert low.value.field == "score"
    with pytest.raises(Invalid) as long:
        invitation_answers.answer_by_link(session, token=token, reply=Reply(3, "x" * 2001))
    assert long.value.field == "comments"
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=15)  # the link lives 14 days
    with pytest.raises(Conflict) as expired:
        invitation_answers.answer_by_link(session, token=token, reply=Reply(3), now=later)
    assert "expired" in expired.value.message


def test_a_failed_mail_is_tried_again_with_a_new_token(session: Session, asked: int) -> None:
    first = worker.survey_round(sessions_of(session))  # no SMTP server configured
    assert first == {"surveys_invited": 2, "surveys_sent": 0}
    failed = session.scalars(select(SurveyInvitation)).all()
    assert all(i.token_hash is None and "SLM_SMTP_HOST" in i.error for i in failed)
    assert all(i.attempts == 1 for i in failed)


def test_a_resolved_ticket_asks_its_requester_once_in_the_quiet_time(
    session: Session, world: World, sla_in_force: int
) -> None:
    survey_invitations.set_policy(
        session,
        actor=world.actors["manager"],
        agreement_id=sla_in_force,
        data=PolicyData(every="none", after_tickets=True, quiet_days=30),
    )
    hour = dt.timedelta(hours=1)
    made = []
    for number, opened in (("T1", NOW - 30 * hour), ("T2", NOW - 20 * hour)):
        tid = add_ticket(
            session,
            world,
            number,
            [(opened, "New", "created"), (opened + 2 * hour, "Resolved", "resolved")],
        )
        made.append(tid)
    old = add_ticket(
        session,
        world,
        "T0",
        [(NOW - 300 * hour, "New", "created"), (NOW - 290 * hour, "Closed", "closed")],
    )
    for tid in (*made, old):
        ticket = session.get(Ticket, tid)
        assert ticket is not None
        ticket.attributes = {"requester_email": "li@acme.example"}
    session.flush()
    assert survey_invitations.invite_due(session, now=NOW) == 1  # T1 only: T2 in quiet time
    [invitation] = session.scalars(select(SurveyInvitation)).all()
    assert (invitation.ticket_id, invitation.email, invitation.period) == (
        made[0],
        "li@acme.example",
        "",
    )
    assert survey_invitations.invite_due(session, now=NOW) == 0


def test_a_policy_is_the_managers_and_its_input_is_checked(
    session: Session, world: World, sla_in_force: int
) -> None:
    rep = world.actors["customer_rep"]
    with pytest.raises(Forbidden):
        survey_invitations.set_policy(
            session, actor=rep, agreement_id=sla_in_force, data=PolicyData()
        )
    with pytest.raises(Invalid) as bad:
        survey_invitations.set_policy(
            session,
            actor=world.actors["manager"],
            agreement_id=sla_in_force,
            data=PolicyData(every="weekly"),
        )
    assert bad.value.field == "every"
    with pytest.raises(NotFound):
        survey_invitations.get_policy(session, actor=rep, agreement_id=sla_in_force)


def test_two_invitations_answered_alike_are_two_answers(
    session: Session, world: World, asked: int, mailbox: Mailbox
) -> None:
    """Wang is asked about November and about a ticket resolved yesterday (no quiet time);
    the same score on the same day from both links is two answers, not one merged away."""
    survey_invitations.set_policy(
        session,
        actor=world.actors["manager"],
        agreement_id=asked,
        data=PolicyData(after_tickets=True, quiet_days=0),
    )
    hour = dt.timedelta(hours=1)
    opened = dt.datetime.now(dt.UTC) - 30 * hour
    tid = add_ticket(
        session, world, "T9", [(opened, "New", "created"), (opened + hour, "Closed", "closed")]
    )
    ticket = session.get(Ticket, tid)
    assert ticket is not None
    ticket.attributes = {"caller_email": "wang@acme.example"}
    session.flush()
    assert worker.survey_round(sessions_of(session))["surveys_invited"] == 3
    links = [token_in(body_of(m)) for m in mailbox.messages if m["To"] == "wang@acme.example"]
    assert len(links) == 2
    for token in links:
        invitation_answers.answer_by_link(session, token=token, reply=Reply(4), now=NOW)
    assert len(session.scalars(select(SurveyResult)).all()) == 2
