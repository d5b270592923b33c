"""Answering a satisfaction survey in the browser: by the personal link without signing in
(in the invitee's language, once, rate-limited), and signed in as the representative."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import SurveyInvitation, SurveyResult
from servicelevel.jobs import worker
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reviews import invitations as survey_invitations
from servicelevel.services.reviews.invitations import PolicyData
from servicelevel.web import throttle
from tests.integration.factories import PASSWORD, World
from tests.integration.receivers import Mailbox
from tests.integration.services.reviews.test_survey_invitations import (
    body_of,
    mailbox,  # noqa: F401 (fixture)
    sessions_of,
    token_in,
)
from tests.integration.web.test_pages import csrf_of, sign_in


@pytest.fixture(autouse=True)
def fresh_counts() -> Iterator[None]:
    throttle.forget()
    yield
    throttle.forget()


@pytest.fixture
def invited(session: Session, world: World, sla_in_force: int) -> int:
    """The customer representative (with an address, in 简体中文) asked about November."""
    identity.create_user(
        session,
        actor=SYSTEM,
        username="wang",
        password=PASSWORD,
        roles=[RoleGrant("customer_representative", "ACME")],
        email="wang@acme.example",
        locale="zh_Hans",
    )
    survey_invitations.set_policy(
        session, actor=world.actors["manager"], agreement_id=sla_in_force, data=PolicyData()
    )
    session.flush()
    return sla_in_force


def test_the_link_opens_a_chinese_form_that_takes_one_answer(
    client: TestClient,
    session: Session,
    invited: int,
    mailbox: Mailbox,  # noqa: F811
) -> None:
    worker.survey_round(sessions_of(session))
    token = token_in(body_of(mailbox.messages[0]))
    page = client.get(f"/survey/{token}")
    assert page.status_code == 200
    assert "您对阿克米邮件服务的满意度如何？" in page.text
    bad = client.post(f"/survey/{token}", data={"csrf": csrf_of(page.text), "score": "9"})
    assert bad.status_code == 422
    assert "请选择 1 到 5 之间的分数" in bad.text
    done = client.post(
        f"/survey/{token}",
        data={"csrf": csrf_of(page.text), "score": "2", "comments": "太慢"},
    )
    assert done.status_code == 200, done.text
    assert 'id="survey-thanks"' in done.text
    [result] = session.scalars(select(SurveyResult)).all()
    assert (result.score, result.comments, result.source) == (2, "太慢", "invitation")
    again = client.get(f"/survey/{token}")
    assert again.status_code == 409
    assert client.get("/survey/not-a-token").status_code == 404


def test_too_many_requests_from_one_address_are_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(throttle, "LIMIT", 3)
    codes = [client.get("/survey/nothing-here").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


def test_a_representative_answers_signed_in(
    client: TestClient,
    session: Session,
    invited: int,
    mailbox: Mailbox,  # noqa: F811
) -> None:
    worker.survey_round(sessions_of(session))
    [invitation] = session.scalars(select(SurveyInvitation)).all()
    sign_in(client, "wang")
    page = client.get("/my-surveys")
    assert page.status_code == 200
    assert f'id="survey-{invitation.id}"' in page.text
    r = client.post(
        f"/my-surveys/{invitation.id}",
        data={"csrf": csrf_of(page.text), "score": "5"},
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text
    assert 'id="survey-thanks"' in r.text
    assert not re.search(r'id="survey-\d+"', r.text)
    [result] = session.scalars(select(SurveyResult)).all()
    assert result.score == 5
    sign_in(client, "customer_rep")  # not theirs
    other = client.post(f"/my-surveys/{invitation.id}", data={"csrf": "", "score": "1"})
    assert other.status_code in (400, 404)
