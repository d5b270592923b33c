"""Ticket events accepted into the queue and stored by the worker: nothing is stored before the
worker's round, everything after it; a bad request is rejected whole with its bad events named
while the good ones beside it are stored; the same event queued twice is stored once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.db.models import Job, Ticket, TicketEvent
from servicelevel.jobs import worker
from tests.integration.api.conftest import auth
from tests.integration.factories import World

EVENT = {
    "ticket": "INC-Q1",
    "at": "2026-03-03T10:00:00+08:00",
    "state": "New",
    "event": "created",
    "service": "email",
    "customer": "ACME",
    "priority": "P1",
}


def queue(client: TestClient, token: str, *events: dict[str, str]) -> dict[str, object]:
    r = client.post(
        "/api/v1/ticket-events/queue",
        headers=auth(token),
        json={"source": "feed", "events": list(events)},
    )
    assert r.status_code == 202, r.text
    return dict(r.json())


def test_queued_events_are_stored_by_the_worker(
    client: TestClient, session: Session, tokens: dict[str, str], sla_in_force: int
) -> None:
    first = queue(client, tokens["admin"], EVENT)
    assert (first["status"], first["received"]) == ("queued", 1)
    later = {**EVENT, "at": "2026-03-03T11:00:00+08:00", "state": "Resolved", "event": ""}
    second = queue(client, tokens["admin"], later)
    again = queue(client, tokens["admin"], EVENT)  # the same event a second time
    assert session.query(Ticket).count() == 0  # nothing stored before the worker's round
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    assert worker.drain_inbox(sessions) == {"queue_stored": 3, "queue_rejected": 0}
    [ticket] = session.query(Ticket).all()
    assert (ticket.external_id, ticket.state) == ("INC-Q1", "Resolved")
    assert session.query(TicketEvent).count() == 2  # the repeated event once
    done = client.get(f"/api/v1/ticket-events/queue/{second['id']}", headers=auth(tokens["admin"]))
    body = done.json()
    assert (body["status"], body["result"]["stored"], body["result"]["duplicates"]) == (
        "stored",
        2,
        1,
    )
    assert again["id"] != first["id"]
    assert session.query(Job).filter(Job.kind == "recompute").count() >= 1  # measurements follow
    assert worker.drain_inbox(sessions) == {"queue_stored": 0, "queue_rejected": 0}


def test_a_bad_request_is_rejected_whole_and_the_good_ones_beside_it_stored(
    client: TestClient, session: Session, tokens: dict[str, str], world: World
) -> None:
    good = queue(client, tokens["admin"], EVENT)
    orphan = {**EVENT, "ticket": "INC-NEW", "service": ""}  # a new ticket needs its service
    bad = queue(client, tokens["admin"], {**EVENT, "ticket": "INC-Q2"}, orphan)
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    assert worker.drain_inbox(sessions) == {"queue_stored": 1, "queue_rejected": 1}
    assert [t.external_id for t in session.query(Ticket)] == ["INC-Q1"]  # nothing of the bad one
    shown = client.get(f"/api/v1/ticket-events/queue/{bad['id']}", headers=auth(tokens["manager"]))
    result = shown.json()
    assert result["status"] == "rejected"
    assert result["result"]["details"] == [
        {"row": 2, "field": "service", "message": "ticket INC-NEW is new: name its service"}
    ]
    ok = client.get(f"/api/v1/ticket-events/queue/{good['id']}", headers=auth(tokens["manager"]))
    assert ok.json()["status"] == "stored"


def test_the_queue_checks_the_request_before_accepting_it(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    rep = client.post(
        "/api/v1/ticket-events/queue",
        headers=auth(tokens["customer_rep"]),
        json={"source": "feed", "events": [EVENT]},
    )
    assert rep.status_code == 403
    naive = client.post(
        "/api/v1/ticket-events/queue",
        headers=auth(tokens["admin"]),
        json={"source": "feed", "events": [{**EVENT, "at": "2026-03-03T10:00:00"}]},
    )
    assert naive.status_code == 422
    assert naive.json()["error"]["field"].endswith("at")
    blank = client.post(
        "/api/v1/ticket-events/queue",
        headers=auth(tokens["admin"]),
        json={"source": "  ", "events": [EVENT]},
    )
    assert (blank.status_code, blank.json()["error"]["field"]) == (422, "source")
    missing = client.get("/api/v1/ticket-events/queue/999999", headers=auth(tokens["admin"]))
    assert missing.status_code == 404
