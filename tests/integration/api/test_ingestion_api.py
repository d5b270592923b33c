"""Ticket events in: idempotent, out of order, all or nothing with every bad event named."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth
from tests.integration.factories import World


def event(ticket: str, at: str, state: str, **more: str) -> dict[str, Any]:
    return {"ticket": ticket, "at": at, "state": state, **more}


BATCH = [
    event(
        "INC1",
        "2026-03-02T09:00:00+08:00",
        "New",
        event="created",
        service="email",
        customer="ACME",
        priority="P2",
    ),
    event("INC1", "2026-03-02T09:20:00+08:00", "In Progress", event="responded"),
    event("INC1", "2026-03-02T15:00:00+08:00", "Resolved", event="resolved", priority="P1"),
]


def post(client: TestClient, token: str, events: list[dict[str, Any]]) -> Any:
    return client.post(
        "/api/v1/ticket-events", headers=auth(token), json={"source": "itsm", "events": events}
    )


def timeline(client: TestClient, token: str) -> dict[str, Any]:
    listed = client.get("/api/v1/tickets?q=INC1", headers=auth(token)).json()["items"]
    return dict(client.get(f"/api/v1/tickets/{listed[0]['id']}", headers=auth(token)).json())


def test_a_batch_is_stored_once_however_often_it_arrives(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    first = post(client, tokens["admin"], BATCH)
    assert first.status_code == 200, first.text
    assert first.json() == {
        "received": 3,
        "stored": 3,
        "duplicates": 0,
        "tickets_created": 1,
        "tickets_changed": 1,
    }
    again = post(client, tokens["admin"], BATCH).json()
    assert (again["stored"], again["duplicates"]) == (0, 3)
    ticket = timeline(client, tokens["customer_rep"])
    assert (ticket["state"], ticket["priority"]) == ("Resolved", "P1")
    assert [e["state"] for e in ticket["events"]] == ["New", "In Progress", "Resolved"]


def test_a_late_event_takes_its_place_in_time(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    post(client, tokens["admin"], [BATCH[0], BATCH[2]])
    late = event("INC1", "2026-03-02T10:00:00+08:00", "Awaiting Customer")
    assert post(client, tokens["admin"], [late, BATCH[1]]).json()["stored"] == 2
    ticket = timeline(client, tokens["admin"])
    assert [e["state"] for e in ticket["events"]] == [
        "New",
        "In Progress",
        "Awaiting Customer",
        "Resolved",
    ]
    assert ticket["state"] == "Resolved"  # the latest event still decides the state


def test_a_bad_event_stores_nothing_and_every_problem_is_named(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    bad = [
        BATCH[0],
        event("INC2", "2026-03-02T09:00:00+08:00", "New"),  # new ticket without a service
        event("INC1", "2026-03-02T10:00:00+08:00", "New", customer="NOBODY"),
    ]
    r = post(client, tokens["admin"], bad)
    assert r.status_code == 422, r.text
    body = r.json()["error"]
    assert body["message"] == "2 event(s) cannot be stored, so none of the batch was"
    assert sorted((d["row"], d["field"]) for d in body["details"]) == [
        (2, "service"),  # rows are 1-based positions in the batch
        (3, "customer"),
    ]
    assert client.get("/api/v1/tickets?q=INC", headers=auth(tokens["admin"])).json()["total"] == 0
    naive = post(
        client, tokens["admin"], [event("INC3", "2026-03-02T09:00:00", "New", service="x")]
    )
    assert (naive.status_code, naive.json()["error"]["field"]) == (422, "events.0.at")
    assert post(client, tokens["customer_rep"], BATCH).status_code == 403


def test_a_source_system_posts_its_own_records_to_its_webhook(
    client: TestClient, world: World, tokens: dict[str, str]
) -> None:
    record = {
        "number": "INC0012345",
        "sys_updated_at": "03/03/2026 10:00",
        "incident_state": "New",
        "priority": "1 - Critical",
        "category": "Network",
        "sys_mod_count": "0",
    }
    later = {**record, "sys_updated_at": "03/03/2026 11:30", "incident_state": "Resolved"}
    later["sys_mod_count"] = "1"
    url = "/api/v1/webhooks/servicenow"
    r = client.post(url, headers=auth(tokens["admin"]), json={"records": [record, later]})
    assert r.status_code == 200, r.text
    assert (r.json()["stored"], r.json()["tickets_created"]) == (2, 1)
    again = client.post(url, headers=auth(tokens["admin"]), json=later)  # one object, again
    assert again.json()["duplicates"] == 1
    listed = client.get("/api/v1/tickets?q=INC0012345", headers=auth(tokens["admin"])).json()
    [ticket] = listed["items"]
    assert (ticket["priority"], ticket["state"]) == ("P1", "Resolved")
    assert ticket["service"] == "it-support"
    bad = client.post(
        url, headers=auth(tokens["admin"]), json=[record, {**record, "sys_updated_at": "soon"}]
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"] == [
        {"row": 2, "field": "records", "message": "cannot read the instant 'soon'"}
    ]
    nested = client.post(
        "/api/v1/webhooks/generic",
        headers=auth(tokens["admin"]),
        json={"ticket": "G-1", "at": "2026-03-03T10:00:00Z", "state": "New", "service": {"x": 1}},
    )
    assert (nested.status_code, nested.json()["error"]["field"]) == (422, "service")
    unknown = client.post("/api/v1/webhooks/cmdb", headers=auth(tokens["admin"]), json={})
    assert unknown.status_code == 404  # no shipped or stored mapping of that name
    assert "no mapping cmdb; use one of servicenow, jira" in unknown.json()["error"]["message"]
    odd = client.post("/api/v1/webhooks/CMDB!", headers=auth(tokens["admin"]), json={})
    assert odd.status_code == 422  # not a mapping's name
    assert client.post(url, headers=auth(tokens["viewer"]), json=record).status_code == 403
