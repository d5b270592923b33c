"""The users API: listing with roles, creating with roles, never exposing password hashes."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth
from tests.integration.factories import World


def test_users_are_listed_with_their_roles_and_no_secrets(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    r = client.get("/api/v1/users?q=customer", headers=auth(tokens["viewer"]))
    assert r.status_code == 200
    (user,) = r.json()["items"]
    assert user["roles"] == [{"role": "customer_representative", "party_id": world.acme_id}]
    assert "password" not in r.text
    assert "argon2" not in r.text


def test_an_administrator_creates_a_representative(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    body = {
        "username": "amy",
        "password": "a long password",
        "locale": "zh_Hant",
        "roles": [{"role": "customer_representative", "party_code": "GLOBEX"}],
    }
    r = client.post("/api/v1/users", headers=auth(tokens["admin"]), json=body)
    assert r.status_code == 201, r.text
    assert r.json()["roles"] == [{"role": "customer_representative", "party_id": world.globex_id}]
    again = client.post("/api/v1/users", headers=auth(tokens["admin"]), json=body)
    assert (again.status_code, again.json()["error"]["field"]) == (409, "username")
    bad = client.post(
        "/api/v1/users",
        headers=auth(tokens["admin"]),
        json={**body, "username": "bob", "roles": [{"role": "emperor"}]},
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "roles")
