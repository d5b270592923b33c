"""A ticket whose priority or service changes mid-life: it moves to the matching target with
the time already used, and leaves the agreement of a service it no longer belongs to."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.services.shared import jobs
from tests.integration.api.conftest import auth


def post(client: TestClient, token: str, events: list[dict[str, Any]]) -> None:
    r = client.post(
        "/api/v1/ticket-events", headers=auth(token), json={"source": "itsm", "events": events}
    )
    assert r.status_code == 200, r.text


def run_queued(session: Session) -> list[dict[str, Any]]:
    results = []
    while (job := jobs.claim(session, worker="test")) is not None:
        results.append(jobs.HANDLERS[job.kind](session, job))
        jobs.finish(session, job, results[-1])
        session.flush()
    return results


def measured(session: Session, number: str) -> list[tuple[str, str, int]]:
    [ticket] = monitoring_repo.tickets_by_numbers(session, "itsm", [number])
    return [
        (m.target_key, m.status, m.used_seconds)
        for m in measurement_repo.of_ticket(session, ticket.id)
    ]


def test_a_priority_raised_mid_life_moves_the_ticket_to_the_p1_target_with_its_time(
    client: TestClient, session: Session, tokens: dict[str, str], sla_in_force: int
) -> None:
    base = {"ticket": "INC-7", "service": "email", "customer": "ACME"}
    post(
        client,
        tokens["admin"],
        [
            {**base, "at": "2026-03-03T10:00:00Z", "state": "New", "priority": "P2"},
            {**base, "at": "2026-03-03T11:00:00Z", "state": "In Progress", "priority": "P1"},
        ],
    )
    run_queued(session)
    assert [m[0] for m in measured(session, "INC-7")] == ["P1-resolution"]  # no P2 any more
    post(client, tokens["admin"], [{**base, "at": "2026-03-03T13:30:00Z", "state": "Resolved"}])
    run_queued(session)
    # P1: 4 h on 24x7, counted from the start (10:00), not from the change at 11:00
    assert measured(session, "INC-7") == [("P1-resolution", "met", 3 * 3600 + 1800)]


def test_a_ticket_moved_to_another_service_leaves_the_agreement_of_its_old_one(
    client: TestClient, session: Session, tokens: dict[str, str], sla_in_force: int
) -> None:
    base = {"ticket": "INC-8", "customer": "ACME", "priority": "P1"}
    post(
        client,
        tokens["admin"],
        [{**base, "service": "email", "at": "2026-03-03T10:00:00Z", "state": "New"}],
    )
    run_queued(session)
    assert [m[0] for m in measured(session, "INC-8")] == ["P1-resolution"]
    post(
        client,
        tokens["admin"],
        [{**base, "service": "payroll", "at": "2026-03-03T10:30:00Z", "state": "New"}],
    )
    results = run_queued(session)
    assert [r["agreement_id"] for r in results] == [sla_in_force]  # its old service's SLA
    assert measured(session, "INC-8") == []
