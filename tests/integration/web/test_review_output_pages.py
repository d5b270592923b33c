"""The review outputs in the browser (issue 15): the register in Chinese names the agreement
as its Chinese title, minutes typed before the meeting are refused on the form, and a plan
raised from an action on the meeting page lists that action."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews.actions import ActionData
from tests.integration.factories import World
from tests.integration.web.test_pages import csrf_of, sign_in

MARCH = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)


def test_the_chinese_register_shows_the_chinese_title(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    session.flush()
    sign_in(client, "manager")
    client.cookies.set("slm_lang", "zh_Hans")
    page = client.get("/reviews")
    assert page.status_code == 200
    assert "阿克米邮件服务" in page.text
    assert "E-mail for Acme" not in page.text


def test_minutes_before_the_meeting_are_refused_on_the_form(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    """A meeting set for a week after the scenario's clock: no minutes yet."""
    meeting = reviews.create_meeting(
        session,
        actor=world.actors["manager"],
        agreement_id=sla_in_force,
        data=reviews.MeetingData(scheduled_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=7)),
    )
    session.flush()
    assert meeting.scheduled_at > dt.datetime.now(dt.UTC)
    sign_in(client, "manager")
    page = client.get(f"/reviews/{meeting.id}").text
    assert 'id="minutes-wait"' in page
    r = client.post(
        f"/reviews/{meeting.id}/minutes",
        data={
            "csrf": csrf_of(page),
            "version": str(meeting.version),
            "minutes": "Too early",
            "outcome": "on_track",
        },
    )
    assert r.status_code == 409
    assert "the meeting has not started yet" in r.text
    assert reviews.get_meeting(session, actor=SYSTEM, meeting_id=meeting.id).status == "scheduled"


def test_a_plan_raised_on_the_meeting_page_lists_its_action(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    action = review_actions.add_action(
        session,
        actor=SYSTEM,
        meeting_id=meeting.id,
        data=ActionData("Add a night shift", dt.date(2026, 4, 30), owner_name="Ops lead"),
    )
    session.flush()
    sign_in(client, "manager")
    page = client.get(f"/reviews/{meeting.id}").text
    r = client.post(
        f"/reviews/{meeting.id}/actions/{action.id}/plan",
        data={"csrf": csrf_of(page), "code": "SIP-WEB"},
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text
    assert re.search(r"/improvement-plans/\d+$", str(r.url))
    assert re.search(r'id="progress">0%<', r.text)  # one action, open
    listed = r.text.split('id="actions"', 1)[1]
    assert "Add a night shift" in listed
    assert "Ops lead" in listed
    session.refresh(action)
    assert action.plan_id is not None


def test_the_meeting_page_lists_a_report_revision_once_with_its_languages(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    report_snapshots.publish(
        session, actor=SYSTEM, agreement_id=sla_in_force, period="2026-02", now=MARCH
    )
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    session.flush()
    sign_in(client, "manager")
    page = client.get(f"/reviews/{meeting.id}").text
    listed = page.split('id="agenda-reports">', 1)[1].split("</ul>", 1)[0]
    assert listed.count("<li>") == 1
    for name in ("English", "简体中文", "繁體中文"):
        assert name in listed
