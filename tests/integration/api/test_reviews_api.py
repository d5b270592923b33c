"""The SLM5 cycle through the API: a review scheduled for an agreement → its agenda filled
with the period's breaches and reports → minutes and an action → a SIP raised from the action
→ the SIP's action done → the SIP's before/after figures show the change. Also the register
export, survey results, and bad input answered with a named field and nothing stored."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from servicelevel.services.monitoring import recompute
from tests.integration.api.conftest import auth
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket

UTC = dt.UTC


def test_the_review_cycle(
    client: TestClient,
    session: Session,
    world: World,
    tokens: dict[str, str],
    sla_in_force: int,
) -> None:
    staff = auth(tokens["manager"])
    # February: 2 of 3 P1 tickets within 4 h; March (after the plan starts): 2 of 2
    for number, day, hours in (("A", 3, 1), ("B", 4, 2), ("C", 5, 7), ("D", 3, 1), ("E", 4, 2)):
        month = 2 if number in "ABC" else 3
        ticket(session, world, number, dt.datetime(2026, month, day, 1, tzinfo=UTC), hours)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=dt.datetime(2026, 4, 1, tzinfo=UTC))
    r = client.post(
        f"/api/v1/agreements/{sla_in_force}/reports",
        headers=staff,
        json={"period": "2026-02", "language": "en"},
    )
    assert r.status_code == 201, r.text

    r = client.post(
        "/api/v1/reviews",
        headers=staff,
        json={
            "agreement_id": sla_in_force,
            "period_start": "2026-02-01",
            "period_end": "2026-03-01",
            "scheduled_at": "2026-03-10T02:00:00Z",
            "location": "Room 3",
        },
    )
    assert r.status_code == 201, r.text
    meeting = r.json()
    detail = client.get(f"/api/v1/reviews/{meeting['id']}", headers=staff).json()
    agenda = detail["agenda"]
    assert [b["ticket"] for b in agenda["breaches"]["items"]] == ["C"]
    assert [rep["period"] for rep in agenda["reports"]] == ["2026-02"]
    [p1] = [t for t in agenda["trends"] if t["target"] == "P1-resolution"]
    assert p1["months"] == [{"period": "2026-02", "met": 2, "breached": 1, "within": 2 / 3}]
    assert {p["role"] for p in detail["participants"]} >= {"customer_representative"}

    # the customer's representative reads the meeting, but may not write minutes
    rep = auth(tokens["customer_rep"])
    assert client.get(f"/api/v1/reviews/{meeting['id']}", headers=rep).status_code == 200
    minutes = {
        "lock_version": detail["lock_version"],
        "minutes": "P1 resolution missed in February (ticket C).",
        "decisions": ["Staff a night shift"],
        "outcome": "improve",
    }
    assert (
        client.post(
            f"/api/v1/reviews/{meeting['id']}/minutes", headers=rep, json=minutes
        ).status_code
        == 403
    )
    people = [
        {"role": "service_level_manager", "name": "manager", "attended": True},
        {"role": "incident_manager", "name": "Li Wei", "attended": True},
        {"role": "customer_representative", "name": "customer_rep", "attended": False},
    ]
    r = client.put(
        f"/api/v1/reviews/{meeting['id']}/participants",
        headers=staff,
        json={"lock_version": detail["lock_version"], "participants": people},
    )
    assert r.status_code == 200, r.text
    minutes["lock_version"] = r.json()["lock_version"]
    r = client.post(f"/api/v1/reviews/{meeting['id']}/minutes", headers=staff, json=minutes)
    assert r.status_code == 200, r.text
    held = r.json()
    assert (held["status"], held["decisions"]) == ("held", ["Staff a night shift"])

    r = client.post(
        f"/api/v1/reviews/{meeting['id']}/actions",
        headers=staff,
        json={"title": "Staff a night shift", "due_on": "2026-03-20", "owner_name": "Ops lead"},
    )
    assert r.status_code == 201, r.text
    action = r.json()
    r = client.post(f"/api/v1/actions/{action['id']}/plan", headers=staff, json={"code": "SIP-7"})
    assert r.status_code == 201, r.text
    plan = r.json()
    assert (plan["origin"], plan["meeting_id"], plan["status"]) == (
        "review",
        meeting["id"],
        "proposed",
    )
    r = client.post(
        f"/api/v1/improvement-plans/{plan['id']}/steps",
        headers=staff,
        json={
            "lock_version": plan["lock_version"],
            "transition": "activate",
            "starts_on": "2026-03-01",
        },
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"/api/v1/improvement-plans/{plan['id']}/actions",
        headers=staff,
        json={"title": "Roster the shift", "due_on": "2026-03-05", "owner_name": "Ops lead"},
    )
    assert r.status_code == 201, r.text
    roster = r.json()
    r = client.patch(
        f"/api/v1/actions/{roster['id']}",
        headers=staff,
        json={"lock_version": roster["lock_version"], "status": "done"},
    )
    assert r.status_code == 200, r.text
    shown = client.get(f"/api/v1/improvement-plans/{plan['id']}", headers=staff).json()
    # the plan carries the action it was raised from: one of its two actions is done
    assert {a["id"] for a in shown["actions"]} == {action["id"], roster["id"]}
    assert (shown["status"], shown["progress"]) == ("active", 0.5)
    carried = next(a for a in shown["actions"] if a["id"] == action["id"])
    assert carried["plan_id"] == plan["id"]
    r = client.patch(
        f"/api/v1/actions/{action['id']}",
        headers=staff,
        json={"lock_version": carried["lock_version"], "status": "done"},
    )
    assert r.status_code == 200, r.text
    shown = client.get(f"/api/v1/improvement-plans/{plan['id']}", headers=staff).json()
    assert shown["progress"] == 1.0
    effect = client.get(f"/api/v1/improvement-plans/{plan['id']}/effect", headers=rep).json()
    assert effect["starts"] == "2026-03"
    [p1] = [t for t in effect["targets"] if t["target"] == "P1-resolution"]
    assert (p1["before"]["met"], p1["before"]["breached"]) == (2, 1)
    assert (p1["after"]["met"], p1["after"]["breached"]) == (2, 0)
    assert p1["months"][0]["period"] == "2025-09"

    # the register lists the meeting with its outcome, as a workbook and a PDF
    r = client.get("/api/v1/reviews/register?format=xlsx&language=zh-Hans", headers=staff)
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "协议"
    # holding the meeting scheduled the next one (newest first)
    [_, _, (code, _, _, _, period, _, _, status, _, outcome, _, came, invited, decided, *_)] = rows
    assert (code, period, status, outcome) == (
        "SLA-1",
        "2026年2月1日 – 2026年2月28日",
        "已举行",
        "需要改进",
    )
    assert (came, invited, decided) == (2, 3, 1)
    pdf = client.get("/api/v1/reviews/register?format=pdf", headers=rep)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    outsider = client.get("/api/v1/reviews/register?format=xlsx", headers=auth(tokens["outsider"]))
    assert len(list(load_workbook(io.BytesIO(outsider.content)).active.iter_rows())) == 1


def test_reviews_are_scheduled_once_per_agreement(
    client: TestClient, tokens: dict[str, str], sla_in_force: int
) -> None:
    staff = auth(tokens["admin"])
    first = client.post("/api/v1/reviews/schedule", headers=staff)
    assert first.status_code == 200, first.text
    [made] = first.json()
    assert (made["agreement_id"], made["status"]) == (sla_in_force, "scheduled")
    assert client.post("/api/v1/reviews/schedule", headers=staff).json() == []
    channel = client.post(
        "/api/v1/notification-channels",
        headers=staff,
        json={
            "name": "chair",
            "kind": "email",
            "address": "chair@example.com",
            "notices": ["review", "action"],
        },
    )
    assert channel.status_code == 201, channel.text  # reminders and overdue actions by mail
    extra = client.post("/api/v1/reviews", headers=staff, json={"agreement_id": sla_in_force})
    assert extra.status_code == 409
    assert "scheduled already" in extra.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_start": "2026-03-01", "period_end": "2026-02-01"}, "period_end"),
        ({"period_start": "2026-03-01"}, "period_end"),
        ({"chair_id": 999999}, "chair_id"),
        ({"scheduled_at": "2026-03-10T02:00:00"}, "scheduled_at"),
    ],
)
def test_a_bad_meeting_is_refused_with_the_field_named(
    client: TestClient,
    tokens: dict[str, str],
    sla_in_force: int,
    body: dict[str, object],
    field: str,
) -> None:
    staff = auth(tokens["manager"])
    r = client.post("/api/v1/reviews", headers=staff, json={"agreement_id": sla_in_force, **body})
    assert r.status_code == 422, r.text
    assert field in r.text
    assert client.get("/api/v1/reviews", headers=staff).json()["total"] == 0


def test_minutes_on_a_stale_version_conflict(
    client: TestClient, tokens: dict[str, str], sla_in_force: int
) -> None:
    staff = auth(tokens["manager"])
    [made] = client.post("/api/v1/reviews/schedule", headers=staff).json()
    moved = client.patch(
        f"/api/v1/reviews/{made['id']}",
        headers=staff,
        json={"lock_version": made["lock_version"], "location": "Room 9"},
    )
    assert moved.status_code == 200, moved.text
    r = client.post(
        f"/api/v1/reviews/{made['id']}/minutes",
        headers=staff,
        json={"lock_version": made["lock_version"], "minutes": "x", "outcome": "on_track"},
    )
    assert r.status_code == 409
    assert (
        client.get(f"/api/v1/reviews/{made['id']}", headers=staff).json()["status"] == "scheduled"
    )


def test_survey_results_in_and_a_low_score_proposes_a_plan(
    client: TestClient, tokens: dict[str, str], world: World, sla_in_force: int
) -> None:
    staff = auth(tokens["admin"])
    csv = (
        "customer,date,score,scale,comments\nACME,2026-02-01,9,10,good\nACME,2026-02-02,1,5,slow\n"
    )
    r = client.post("/api/v1/surveys/import", headers=staff, json={"csv": csv})
    assert r.json() == {"stored": 2, "already": 0}
    bad = client.post(
        "/api/v1/surveys/import", headers=staff, json={"csv": "customer,date\nACME,x\n"}
    )
    assert bad.status_code == 422
    assert "score" in bad.json()["error"]["message"]
    one = client.post(
        "/api/v1/surveys",
        headers=staff,
        json={"customer_id": world.acme_id, "answered_on": "2026-03-01", "score": 6, "scale": 5},
    )
    assert one.status_code == 422
    assert one.json()["error"]["field"] == "score"
    found = client.get("/api/v1/surveys", headers=auth(tokens["customer_rep"])).json()
    low = next(s for s in found["items"] if s["low"])
    assert low["comments"] == "slow"
    assert client.get("/api/v1/surveys", headers=auth(tokens["outsider"])).json()["total"] == 0
    r = client.post(f"/api/v1/surveys/{low['id']}/proposal", headers=staff, json={"code": "SIP-S"})
    assert r.status_code == 201, r.text
    assert (r.json()["origin"], r.json()["status"]) == ("survey", "proposed")
    high = next(s for s in found["items"] if not s["low"])
    refused = client.post(
        f"/api/v1/surveys/{high['id']}/proposal", headers=staff, json={"code": "SIP-T"}
    )
    assert refused.status_code == 422
    trend = client.get("/api/v1/surveys/trend?per=quarter&count=20", headers=staff).json()
    assert {"period": "2026-Q1", "count": 2, "mean": (0.9 + 0.2) / 2, "low": 1} in trend["items"]
