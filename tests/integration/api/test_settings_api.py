"""/api/v1/auth/settings: a person's own language and time zone, through the same service as
the account page."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.conftest import auth


def test_a_user_reads_and_sets_their_own_language_and_zone(
    client: TestClient, tokens: dict[str, str]
) -> None:
    mine = auth(tokens["customer_rep"])
    first = client.get("/api/v1/auth/settings", headers=mine)
    assert first.json() == {"locale": "en", "timezone": "UTC", "zone_chosen": False}
    body = {"locale": "zh-Hant", "timezone": "Asia/Taipei"}
    saved = client.put("/api/v1/auth/settings", headers=mine, json=body)
    assert saved.status_code == 200, saved.text
    assert saved.json() == {"locale": "zh-Hant", "timezone": "Asia/Taipei", "zone_chosen": True}
    assert client.get("/api/v1/auth/settings", headers=mine).json() == saved.json()
    others = client.get("/api/v1/auth/settings", headers=auth(tokens["manager"])).json()
    assert others["timezone"] == "UTC"  # one's own settings only


def test_an_unknown_zone_or_field_is_a_422_naming_it(
    client: TestClient, tokens: dict[str, str]
) -> None:
    mine = auth(tokens["manager"])
    bad = client.put(
        "/api/v1/auth/settings", headers=mine, json={"locale": "en", "timezone": "Mars/Olympus"}
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "timezone")
    extra = client.put(
        "/api/v1/auth/settings",
        headers=mine,
        json={"locale": "en", "timezone": "Etc/UTC", "theme": "dark"},
    )
    assert extra.status_code == 422
