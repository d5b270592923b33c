"""An API client bound to the test's transaction, and a token per persona."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services import identity
from servicelevel.services.permissions import Actor
from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.factories import World


@pytest.fixture
def tokens(session: Session, world: World) -> dict[str, str]:
    out = {
        name: identity.issue_token(session, actor=a, name="test")
        for name, a in world.actors.items()
    }
    session.flush()
    return out


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sla_in_force(client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> int:
    actors: dict[str, Actor] = everyone(session, world)
    assert actors
    staff, rep = auth(tokens["manager"]), auth(tokens["customer_rep"])
    made = client.post("/api/v1/agreements", headers=staff, json={"document": SLA}).json()
    url = f"/api/v1/agreements/{made['id']}/versions/1"
    for who, path, body in (
        (staff, "steps", {"step": "propose"}),
        (staff, "steps", {"step": "approve"}),
        (staff, "signatures", {}),
        (rep, "signatures", {}),
        (staff, "steps", {"step": "activate", "effective": "2026-01-01T00:00:00Z"}),
    ):
        version = client.get(url, headers=staff).json()["version"]
        r = client.post(f"{url}/{path}", headers=who, json={"version": version, **body})
        assert r.status_code == 200, r.text
    return int(made["id"])
