"""A recomputation job's progress counts tickets, never more than there are: with two targets
on the same tickets it once read "10 of 5" (measurements counted against tickets)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.db.models import Job
from servicelevel.services.shared import jobs
from tests.integration.agreement_fixtures import everyone
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.services.reporting.test_report_renderings import (
    document,
    in_force,
    month_of_data,
)


def test_progress_of_a_recomputation_never_exceeds_its_total(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    everyone(session, world)
    agreement = in_force(client, tokens, document())  # P1-resolution and P1-response
    tickets = len(month_of_data(session, world)) + 1  # A–D in March, E in February
    r = client.post(f"/api/v1/agreements/{agreement}/recompute", headers=auth(tokens["manager"]))
    assert r.status_code == 202, r.text
    claimed = jobs.claim(session, worker="test")
    assert claimed is not None
    result = jobs.HANDLERS[claimed.kind](session, claimed)
    jobs.finish(session, claimed, result)
    session.flush()
    assert result["measurements"] == 2 * tickets  # one per target and ticket
    job = session.get(Job, claimed.id)
    assert job is not None
    assert (job.progress_done, job.progress_total) == (tickets, tickets)


def test_progress_is_capped_at_its_total() -> None:
    job = Job(kind="recompute", payload={})
    jobs.progress(job, 15, 10)
    assert (job.progress_done, job.progress_total) == (10, 10)
