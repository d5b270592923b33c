"""Review, improvement plan and satisfaction pages: forms with their errors named, and what
representatives may see and not do."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute
from servicelevel.services.reviews import meetings as reviews
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket
from tests.integration.web.test_pages import csrf_of, sign_in

UTC = dt.UTC


def test_a_meeting_is_scheduled_held_and_its_action_becomes_a_plan(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    for number, hours in (("A", 1), ("C", 6)):
        ticket(session, world, number, dt.datetime(2026, 2, 10, 1, tzinfo=UTC), hours)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    sign_in(client, "manager")
    page = client.get("/reviews").text
    assert "No reviews yet." in page
    bad = client.post(
        "/reviews",
        data={
            "csrf": csrf_of(page),
            "agreement_id": str(sla_in_force),
            "period_start": "2026-02-01",
            "period_end": "2026-01-01",
        },
    )
    assert bad.status_code == 422
    assert "the period must end after it starts" in bad.text
    r = client.post(
        "/reviews",
        data={
            "csrf": csrf_of(page),
            "agreement_id": str(sla_in_force),
            "day": "2026-03-05",
            "time": "14:30",
            "period_start": "2026-02-01",
            "period_end": "2026-03-01",
        },
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text
    # 14:30 in the agreement's zone (UTC) is shown back as such; the agenda names ticket C
    assert "Feb 1, 2026 – Feb 28, 2026" in r.text
    assert re.search(r'id="agenda-breaches">.*?<td>C</td>', r.text, re.S)
    assert "<svg" in r.text
    assert 'class="objective"' in r.text
    meeting_id = int(re.search(r'action="/reviews/(\d+)/minutes"', r.text)[1])  # type: ignore[index]
    form = r.text.split(f'action="/reviews/{meeting_id}/minutes"')[1]
    version = re.search(r'name="version" value="(\d+)"', form)[1]  # type: ignore[index]
    empty = client.post(
        f"/reviews/{meeting_id}/minutes",
        data={"csrf": csrf_of(page), "version": version, "minutes": "", "outcome": "improve"},
    )
    assert empty.status_code == 422
    assert "minutes" in empty.text
    held = client.post(
        f"/reviews/{meeting_id}/minutes",
        data={
            "csrf": csrf_of(page),
            "version": version,
            "minutes": "C was late.",
            "decisions": "Night shift\nNew runbook",
            "outcome": "improve",
        },
        follow_redirects=True,
    )
    assert "Improvement needed" in held.text
    assert "<li>New runbook</li>" in held.text
    no_due = client.post(
        f"/reviews/{meeting_id}/actions",
        data={"csrf": csrf_of(page), "title": "Roster", "owner_name": "Ops"},
    )
    assert no_due.status_code == 422
    assert "an action needs a due date" in no_due.text
    shown = client.post(
        f"/reviews/{meeting_id}/actions",
        data={
            "csrf": csrf_of(page),
            "title": "Roster",
            "owner_name": "Ops",
            "due_on": "2026-03-20",
        },
        follow_redirects=True,
    ).text
    action_id = re.search(r'id="action-(\d+)"', shown)[1]  # type: ignore[index]
    plan = client.post(
        f"/reviews/{meeting_id}/actions/{action_id}/plan",
        data={"csrf": csrf_of(page), "code": "SIP-W"},
        follow_redirects=True,
    )
    assert plan.status_code == 200
    assert "SIP-W" in plan.text
    assert "Review meeting" in plan.text
    listed = client.get("/improvement-plans").text
    assert "SIP-W" in listed
    page = client.get(f"/agreements/{sla_in_force}").text  # the agreement lists its reviews
    assert f'href="/reviews/{meeting_id}">Feb 1, 2026 – Feb 28, 2026</a>' in page
    register = client.get("/reviews/register.xlsx")
    assert register.status_code == 200
    assert register.content[:2] == b"PK"


def test_representatives_read_reviews_but_see_no_forms(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=dt.datetime(2026, 3, 1, tzinfo=UTC))
    session.flush()
    sign_in(client, "customer_rep")
    page = client.get(f"/reviews/{meeting.id}")
    assert page.status_code == 200
    assert "/minutes" not in page.text
    assert "Schedule the reviews due" not in client.get("/reviews").text
    refused = client.post(
        f"/reviews/{meeting.id}/cancel",
        data={"csrf": csrf_of(page.text), "version": str(meeting.version), "reason": "x"},
    )
    assert refused.status_code == 403
    sign_in(client, "outsider")
    assert client.get(f"/reviews/{meeting.id}").status_code == 404


def test_survey_results_are_entered_imported_and_a_low_one_proposes_a_plan(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    sign_in(client, "admin")
    page = client.get("/surveys").text
    token = csrf_of(page)
    bad = client.post(
        "/surveys",
        data={
            "csrf": token,
            "customer_id": str(world.acme_id),
            "answered_on": "2026-03-01",
            "score": "9",
            "scale": "5",
        },
    )
    assert bad.status_code == 422
    assert "the score must be between 0 and 5" in bad.text
    rows = client.post(
        "/surveys/import",
        data={"csrf": token, "csv": "customer,date,score\nACME,2026-03-02,1\nNOPE,2026-03-02,4\n"},
    )
    assert rows.status_code == 422
    assert "no party NOPE" in rows.text
    ok = client.post(
        "/surveys/import",
        data={"csrf": token, "csv": "customer,date,score,comments\nACME,2026-03-02,1,too slow\n"},
        follow_redirects=True,
    )
    assert "too slow" in ok.text
    survey_id = re.search(r'id="survey-(\d+)"', ok.text)[1]  # type: ignore[index]
    sign_in(client, "manager")
    plan = client.post(
        f"/surveys/{survey_id}/proposal",
        data={"csrf": csrf_of(client.get("/surveys").text), "code": "SIP-SAT"},
        follow_redirects=True,
    )
    assert plan.status_code == 200
    assert "Satisfaction survey" in plan.text
