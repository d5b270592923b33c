"""/api/v1/connections: a connection made, read, changed and deleted; "run now" queues a job
whose pull the worker records as a run; mistakes answer a 4xx naming their field, never a 500,
and a secret is never accepted in the settings."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.shared import jobs
from tests.integration.api.conftest import auth
from tests.integration.factories import World

URL = "/api/v1/connections"
RT: dict[str, Any] = {
    "name": "desk",
    "kind": "rt",
    "base_url": "https://rt.example",
    "mapping": "rt",
    "settings": {
        "query": "Queue = 'Support'",
        "auth": {"kind": "basic", "username": "slm", "secret_env": "CONNECTOR_TEST_NEVER_SET"},
    },
    "interval_seconds": 300,
}


def test_a_connection_is_made_read_changed_and_deleted(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    admin, viewer = auth(tokens["admin"]), auth(tokens["viewer"])
    made = client.post(URL, headers=admin, json=RT)
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["name"], body["state"], body["cursor"], body["lock_version"]) == (
        "desk",
        "idle",
        None,
        1,
    )
    assert body["settings"]["auth"] == RT["settings"]["auth"]
    listed = client.get(URL, headers=viewer).json()
    assert (listed["total"], listed["items"][0]["id"]) == (1, body["id"])
    one = f"{URL}/{body['id']}"
    changed = client.patch(one, headers=admin, json={"lock_version": 1, "interval_seconds": None})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["interval_seconds"], changed.json()["lock_version"]) == (None, 2)
    stale = client.patch(one, headers=admin, json={"lock_version": 1, "enabled": False})
    assert (stale.status_code, stale.json()["error"]["code"]) == (409, "conflict")
    assert client.delete(one, headers=admin).status_code == 204
    assert client.get(one, headers=viewer).status_code == 404


def test_run_now_queues_a_job_whose_pull_is_recorded_as_a_run(
    client: TestClient, session: Session, tokens: dict[str, str], world: World
) -> None:
    manager = auth(tokens["manager"])
    made = client.post(URL, headers=manager, json=RT).json()
    queued = client.post(f"{URL}/{made['id']}/run", headers=manager)
    assert queued.status_code == 202, queued.text
    assert (queued.json()["kind"], queued.json()["status"]) == ("connection_run", "queued")
    job = jobs.load(session, queued.json()["id"])
    result = jobs.HANDLERS[job.kind](session, job)  # what the worker does with it
    session.flush()
    assert (result["outcome"], result["stored"]) == ("failed", 0)
    runs = client.get(f"{URL}/{made['id']}/runs", headers=auth(tokens["viewer"])).json()
    [run] = runs["items"]
    assert run["outcome"] == "failed"
    assert "CONNECTOR_TEST_NEVER_SET is not set" in run["error"]
    shown = client.get(f"{URL}/{made['id']}", headers=manager).json()
    assert (shown["state"], shown["last_error"]) == ("failed", run["error"])


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        (
            {"settings": {"auth": {"kind": "basic", "password": "hunter2"}}},
            422,
            "settings.auth.password",
        ),
        ({"settings": {"auth": {"kind": "basic"}}}, 422, "settings.auth.secret_env"),
        ({"settings": {"page_size": 1000}}, 422, "settings"),
        ({"settings": "text"}, 422, "settings"),
        ({"kind": "gopher"}, 422, "kind"),
        ({"base_url": "file:///etc/passwd"}, 422, "base_url"),
        ({"mapping": "nothing"}, 422, "mapping"),
        ({"interval_seconds": 1}, 422, "interval_seconds"),
        ({"name": "Not A Name"}, 422, "name"),
        ({"backfill_from": "2026-01-01T00:00:00"}, 422, "backfill_from"),
        ({"colour": "blue"}, 422, "colour"),
    ],
)
def test_a_mistake_is_a_4xx_naming_its_field(
    client: TestClient,
    tokens: dict[str, str],
    world: World,
    change: dict[str, Any],
    status: int,
    field: str,
) -> None:
    r = client.post(URL, headers=auth(tokens["admin"]), json={**RT, **change})
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["field"] == field or field in str(error.get("details")), error
    assert "hunter2" not in r.text


def test_a_second_connection_of_the_same_name_is_a_conflict(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    admin = auth(tokens["admin"])
    assert client.post(URL, headers=admin, json=RT).status_code == 201
    again = client.post(URL, headers=admin, json=RT)
    assert (again.status_code, again.json()["error"]["field"]) == (409, "name")


def test_listing_connections_and_runs_does_not_grow_with_the_page(
    client: TestClient, session: Session, tokens: dict[str, str], world: World
) -> None:
    from tests.integration.api.test_query_counts import counting

    viewer, manager = auth(tokens["viewer"]), auth(tokens["manager"])
    made = [client.post(URL, headers=manager, json={**RT, "name": f"c{i}"}).json() for i in (1, 2)]
    runs = f"{URL}/{made[0]['id']}/runs"
    client.get(URL, headers=viewer)  # warm up (the token's last use is written once)
    with counting(session) as few:
        assert len(client.get(URL, headers=viewer).json()["items"]) == 2
        assert client.get(runs, headers=viewer).json()["items"] == []
    for i in range(3, 33):
        assert client.post(URL, headers=manager, json={**RT, "name": f"c{i}"}).status_code == 201
    for _ in range(5):
        job = client.post(f"{runs.removesuffix('/runs')}/run", headers=manager).json()
        jobs.HANDLERS["connection_run"](session, jobs.load(session, job["id"]))
    session.flush()
    with counting(session) as many:
        assert len(client.get(f"{URL}?limit=100", headers=viewer).json()["items"]) == 32
        assert len(client.get(runs, headers=viewer).json()["items"]) == 5
    assert len(many) == len(few)
