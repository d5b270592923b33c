"""The parties API: listing, scoping, writing, conflicts and the error shape."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth
from tests.integration.factories import World


def test_lists_are_paginated_and_filterable(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/api/v1/parties?limit=1", headers=auth(tokens["viewer"]))
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], len(body["items"]), body["limit"]) == (2, 1, 1)
    r = client.get("/api/v1/parties?q=glob&kind=customer", headers=auth(tokens["viewer"]))
    assert [p["code"] for p in r.json()["items"]] == ["GLOBEX"]


def test_customer_rep_cannot_read_other_customer(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    headers = auth(tokens["customer_rep"])
    assert client.get(f"/api/v1/parties/{world.acme_id}", headers=headers).status_code == 200
    r = client.get(f"/api/v1/parties/{world.globex_id}", headers=headers)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    listed = client.get("/api/v1/parties", headers=headers).json()["items"]
    assert [p["code"] for p in listed] == ["ACME"]


def test_create_update_and_delete_with_versions(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["admin"])
    r = client.post(
        "/api/v1/parties",
        headers=headers,
        json={"code": "NET", "kind": "supplier", "name": "NetCo"},
    )
    assert r.status_code == 201, r.text
    party = r.json()
    url = f"/api/v1/parties/{party['id']}"
    r = client.patch(url, headers=headers, json={"lock_version": 1, "name": "NetCo Ltd"})
    assert (r.status_code, r.json()["lock_version"]) == (200, 2)
    stale = client.patch(url, headers=headers, json={"lock_version": 1, "name": "Lost update"})
    assert stale.status_code == 409
    assert stale.json()["error"]["field"] == "lock_version"
    assert client.get(url, headers=headers).json()["name"] == "NetCo Ltd"
    assert client.delete(f"{url}?lock_version=1", headers=headers).status_code == 409
    assert client.delete(f"{url}?lock_version=2", headers=headers).status_code == 204
    assert client.get(url, headers=headers).status_code == 404


def test_bad_requests_name_the_field(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["admin"])
    cases = [
        (
            client.post(
                "/api/v1/parties", headers=headers, json={"code": "X", "kind": "alien", "name": "X"}
            ),
            "kind",
        ),
        (client.post("/api/v1/parties", headers=headers, json={"kind": "customer"}), "code"),
        (
            client.post(
                "/api/v1/parties",
                headers=headers,
                json={"code": "X", "kind": "customer", "name": "X", "colour": 1},
            ),
            "colour",
        ),
        (client.get("/api/v1/parties?limit=5000", headers=headers), "limit"),
        (client.get("/api/v1/parties/abc", headers=headers), "party_id"),
        (
            client.post(
                "/api/v1/parties",
                headers={**headers, "Content-Type": "application/json"},
                content=b"{not json",
            ),
            None,
        ),
    ]
    for response, field in cases:
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid"
        if field is not None:
            assert error["field"] == field
    dup = client.post(
        "/api/v1/parties",
        headers=headers,
        json={"code": "ACME", "kind": "customer", "name": "Again"},
    )
    assert (dup.status_code, dup.json()["error"]["field"]) == (409, "code")


def test_no_token_or_a_bad_one_is_401(client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer slm_nonsense"}, {"Authorization": "Basic x"}):
        r = client.get("/api/v1/parties", headers=headers)
        assert r.status_code == 401, headers
        assert r.json()["error"]["code"] == "unauthenticated"


def test_null_fields_in_a_patch_change_nothing(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    headers = auth(tokens["admin"])
    url = f"/api/v1/parties/{world.acme_id}"
    r = client.patch(url, headers=headers, json={"lock_version": 1, "code": None, "name": None})
    assert r.status_code == 200, r.text
    assert (r.json()["code"], r.json()["name"]) == ("ACME", "Acme Corp")


def test_nul_characters_are_refused_on_every_database(
    client: TestClient, tokens: dict[str, str]
) -> None:
    r = client.post(
        "/api/v1/parties",
        headers=auth(tokens["admin"]),
        json={"code": "NUL", "kind": "supplier", "name": "bad\x00name"},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "name")
