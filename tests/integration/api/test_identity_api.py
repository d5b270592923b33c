"""Tokens, the current user, the audit trail and the OpenAPI document."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth
from tests.integration.factories import PASSWORD, World


def test_a_password_buys_a_token_that_can_be_revoked(client: TestClient, world: World) -> None:
    r = client.post("/api/v1/auth/tokens", json={"username": "manager", "password": PASSWORD})
    assert r.status_code == 201
    token = r.json()["token"]
    me = client.get("/api/v1/auth/me", headers=auth(token)).json()
    assert (me["username"], me["roles"]) == ("manager", ["service_level_manager"])
    wrong = client.post("/api/v1/auth/tokens", json={"username": "manager", "password": "no"})
    assert wrong.status_code == 401


def test_the_audit_trail_is_queryable_and_read_only(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    admin = auth(tokens["admin"])
    created = client.post(
        "/api/v1/parties", headers=admin, json={"code": "NET", "kind": "supplier", "name": "NetCo"}
    ).json()
    viewer = auth(tokens["viewer"])
    r = client.get(
        "/api/v1/audit",
        headers=viewer,
        params={"object_type": "party", "object_id": str(created["id"])},
    )
    entries = r.json()["items"]
    assert [(e["action"], e["after"]["code"]) for e in entries] == [("create", "NET")]
    by_user = client.get(
        "/api/v1/audit", headers=viewer, params={"user_id": world.actors["admin"].user_id}
    ).json()
    assert by_user["total"] >= 2  # the token and the party
    entry = entries[0]["id"]
    for method in ("put", "patch", "delete"):
        r = client.request(method, f"/api/v1/audit/{entry}", headers=admin)
        assert r.status_code in (404, 405)
    assert client.get("/api/v1/audit", headers=auth(tokens["customer_rep"])).status_code == 403


def test_openapi_is_served(client: TestClient) -> None:
    doc = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/parties" in doc["paths"]
    assert "/api/v1/calendars/{calendar_id}/deadline" in doc["paths"]
