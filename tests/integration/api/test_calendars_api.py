"""The calendars API: stored definitions, validation, business time."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth

BEIJING = {
    "name": "Beijing office",
    "timezone": "Asia/Shanghai",
    "hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
    "holidays": {"country": "CN"},
}


def test_a_calendar_is_stored_and_computes_business_time(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["manager"])
    r = client.post(
        "/api/v1/calendars", headers=headers, json={"code": "bj", "definition": BEIJING}
    )
    assert r.status_code == 201, r.text
    cal = r.json()
    assert (cal["name"], cal["timezone"]) == ("Beijing office", "Asia/Shanghai")
    base = f"/api/v1/calendars/{cal['id']}"
    r = client.get(
        f"{base}/elapsed",
        headers=headers,
        params={"start": "2025-09-26T09:00:00+08:00", "end": "2025-09-29T09:00:00+08:00"},
    )
    assert r.json() == {"seconds": 54000, "text": "15h"}
    r = client.get(
        f"{base}/deadline",
        headers=headers,
        params={"start": "2025-09-30T17:00:00+08:00", "duration": "2h"},
    )
    assert r.json()["deadline"] == "2025-10-09T10:00:00+08:00"


def test_an_invalid_definition_names_its_field(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["admin"])
    bad = {**BEIJING, "timezone": "Mars/Olympus"}
    r = client.post("/api/v1/calendars", headers=headers, json={"code": "x", "definition": bad})
    assert r.status_code == 422
    assert r.json()["error"]["field"] == "definition.timezone"
    bad = {**BEIJING, "hours": {"mon-fri": "9-5"}}
    r = client.post("/api/v1/calendars", headers=headers, json={"code": "x", "definition": bad})
    assert (r.status_code, r.json()["error"]["field"]) == (422, "definition.hours.mon-fri")


def test_business_time_inputs_are_checked(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["manager"])
    cal = client.post(
        "/api/v1/calendars", headers=headers, json={"code": "bj", "definition": BEIJING}
    ).json()
    base = f"/api/v1/calendars/{cal['id']}"
    r = client.get(
        f"{base}/deadline",
        headers=headers,
        params={"start": "2025-09-30T17:00:00+08:00", "duration": "soon"},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "duration")
    r = client.get(
        f"{base}/elapsed",
        headers=headers,
        params={"start": "2025-09-30T17:00:00", "end": "2025-09-30T18:00:00+08:00"},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "start")
    r = client.get(f"{base}/elapsed", headers=headers, params={"start": "yesterday", "end": "x"})
    assert r.status_code == 422


def test_a_stale_replacement_is_a_conflict(client: TestClient, tokens: dict[str, str]) -> None:
    headers = auth(tokens["manager"])
    cal = client.post(
        "/api/v1/calendars", headers=headers, json={"code": "bj", "definition": BEIJING}
    ).json()
    url = f"/api/v1/calendars/{cal['id']}"
    changed = {**BEIJING, "hours": "24x7"}
    assert (
        client.put(
            url, headers=headers, json={"lock_version": 1, "definition": changed}
        ).status_code
        == 200
    )
    r = client.put(url, headers=headers, json={"lock_version": 1, "definition": BEIJING})
    assert r.status_code == 409


def test_out_of_range_values_are_refused_not_crashed(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["manager"])
    cal = client.post(
        "/api/v1/calendars", headers=headers, json={"code": "bj", "definition": BEIJING}
    ).json()
    base = f"/api/v1/calendars/{cal['id']}"
    r = client.get(
        f"{base}/elapsed",
        headers=headers,
        params={"start": "9999-12-31T00:00:00+00:00", "end": "2025-01-01T00:00:00Z"},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "start")
    assert client.get(f"/api/v1/calendars/{2**70}", headers=headers).status_code == 422
    r = client.put(base, headers=headers, json={"lock_version": 2**70, "definition": BEIJING})
    assert r.status_code == 422
