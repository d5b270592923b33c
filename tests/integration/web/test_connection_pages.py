"""The connections pages: each source in words with its schedule and state, why its last pull
failed in the source's own words, its pulls; a manager pulls now (a job for the worker, said
on the next page), a viewer only reads, a customer's representative does not see them."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.db.models import ConnectionRun, Job
from servicelevel.services.intake import connections, pulls
from servicelevel.services.intake.connections import ConnectionData
from tests.integration.factories import World
from tests.integration.web.test_pages import csrf_of, sign_in

AUTH = {"auth": {"kind": "basic", "username": "svc", "secret_env": "DESK_SECRET"}}
AT = dt.datetime(2026, 3, 3, 2, tzinfo=dt.UTC)


def failed_connection(session: Session, world: World) -> int:
    """An RT connection pulled every 15 minutes whose last pull was refused."""
    made = connections.create_connection(
        session,
        actor=world.actors["admin"],
        data=ConnectionData("desk", "rt", "https://rt.example", "rt", AUTH, interval_seconds=900),
    )
    session.flush()
    made.state, made.last_run_at, made.last_error = "failed", AT, "401: bad credentials"
    session.add(
        ConnectionRun(
            connection_id=made.id,
            started_at=AT,
            finished_at=AT,
            outcome="failed",
            error="401: bad credentials",
        )
    )
    session.flush()
    return made.id


def test_a_viewer_reads_a_failed_connection_in_words_and_cannot_pull(
    client: TestClient, session: Session, world: World
) -> None:
    connection_id = failed_connection(session, world)
    sign_in(client, "viewer")
    listed = client.get("/connections")
    assert listed.status_code == 200, listed.text
    row = listed.text.split(f'id="connection-{connection_id}"', 1)[1].split("</tr>", 1)[0]
    for words in ("desk", "Request Tracker", "every 15 min", "Failed"):
        assert words in row
    page = client.get(f"/connections/{connection_id}")
    assert page.status_code == 200
    assert "401: bad credentials" in page.text  # the source's own reason
    assert "Pull now" not in page.text


def test_a_manager_pulls_now_and_is_told_the_worker_runs_it(
    client: TestClient, session: Session, world: World
) -> None:
    connection_id = failed_connection(session, world)
    csrf = sign_in(client, "manager")
    page = client.get(f"/connections/{connection_id}")
    assert "Pull now" in page.text
    pulled = client.post(
        f"/connections/{connection_id}/pull",
        data={"csrf": csrf_of(page.text)},
        follow_redirects=True,
    )
    assert pulled.status_code == 200
    assert "A pull is queued" in pulled.text
    assert session.query(Job).filter(Job.kind == pulls.RUN).count() == 1
    refused = client.post(f"/connections/{connection_id}/pull", data={"csrf": "forged"})
    assert refused.status_code == 400
    assert csrf


def test_the_connections_read_in_chinese(
    client: TestClient, session: Session, world: World
) -> None:
    connection_id = failed_connection(session, world)
    sign_in(client, "viewer")
    client.cookies.set("slm_lang", "zh_Hans")
    page = client.get(f"/connections/{connection_id}")
    assert "拉取" in page.text
    for code in ("Request Tracker", "failed", "every", "Pulls"):
        assert code not in page.text.split("<main", 1)[1].replace("rt.example", "")


def test_a_customers_representative_does_not_see_connections(
    client: TestClient, session: Session, world: World
) -> None:
    connection_id = failed_connection(session, world)
    sign_in(client, "customer_rep")
    assert client.get("/connections").status_code == 403
    assert client.get(f"/connections/{connection_id}").status_code == 403
    assert 'href="/connections"' not in client.get("/").text
