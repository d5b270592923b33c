"""A calendar without working time is refused when stored, and a deadline it cannot give is a
422 that says why, never a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth

NEVER = {"name": "Never", "timezone": "Europe/Berlin", "hours": {}}
EVENT = {
    "name": "Trade fair",
    "timezone": "Europe/Berlin",
    "hours": {},
    "extra_working_days": [{"date": "2025-03-08", "hours": "10:00-12:00"}],
}


def test_a_calendar_without_working_time_is_refused(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["manager"])
    r = client.post("/api/v1/calendars", headers=headers, json={"code": "nv", "definition": NEVER})
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["field"] == "definition.hours"
    assert "the calendar has no working time" in error["message"]


def test_replacing_the_hours_with_none_is_refused(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["manager"])
    cal = client.post(
        "/api/v1/calendars", headers=headers, json={"code": "ev", "definition": EVENT}
    ).json()
    body = {key: cal[key] for key in ("version", "lock_version") if key in cal}
    r = client.put(
        f"/api/v1/calendars/{cal['id']}", headers=headers, json={**body, "definition": NEVER}
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "definition.hours")


def test_a_deadline_beyond_the_last_working_day_says_so(
    client: TestClient, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["manager"])
    cal = client.post(
        "/api/v1/calendars", headers=headers, json={"code": "ev", "definition": EVENT}
    ).json()
    url = f"/api/v1/calendars/{cal['id']}/deadline"
    r = client.get(url, headers=headers, params={"start": "2025-03-01T00:00:00Z", "duration": "1h"})
    assert r.json()["deadline"] == "2025-03-08T11:00:00+01:00"
    for duration in ("3h", "2bd"):
        r = client.get(
            url, headers=headers, params={"start": "2025-03-01T00:00:00Z", "duration": duration}
        )
        assert r.status_code == 422
        assert "has no working time after 2025-03-08" in r.json()["error"]["message"]
