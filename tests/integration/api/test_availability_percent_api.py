"""The availability API takes an objective as a fraction or as a percentage ("99.9%")."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth

OFFICE = {"timezone": "UTC", "hours": {"mon-fri": "09:00-18:00"}}


def test_an_objective_may_be_written_as_a_percentage(
    client: TestClient, tokens: dict[str, str]
) -> None:
    staff = auth(tokens["admin"])
    client.post("/api/v1/calendars", headers=staff, json={"code": "office", "definition": OFFICE})
    client.post(
        "/api/v1/outages",
        headers=staff,
        json={
            "service": "erp",
            "starts_at": "2025-03-03T10:00:00Z",
            "ends_at": "2025-03-03T13:00:00Z",
        },
    )
    query = {"service": "erp", "calendar": "office", "period": "2025-03"}
    answers = [
        client.get("/api/v1/availability", headers=staff, params={**query, "objective": o})
        for o in ("0.999", "99.9%", "99.9 %")
    ]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert {a.json()["objective"] for a in answers} == {0.999}
    assert answers[1].json()["objective_met"] is False  # 3 h of 189 h down: 98.4 %
    for bad in ("lots%", "150%", "0%"):
        r = client.get("/api/v1/availability", headers=staff, params={**query, "objective": bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["field"] == "objective"


def test_a_service_option_objective_may_be_written_as_a_percentage(
    client: TestClient, tokens: dict[str, str]
) -> None:
    staff = auth(tokens["admin"])
    made = client.post("/api/v1/services", headers=staff, json={"code": "mail", "name": "Mail"})
    assert made.status_code == 201, made.text
    service = made.json()
    target = {"metric": "resolution", "priority": "P1", "within": "4h", "objective": "99.5%"}
    r = client.put(
        f"/api/v1/services/{service['id']}/options",
        headers=staff,
        json={
            "lock_version": service["lock_version"],
            "options": [{"code": "gold", "name": "Gold", "targets": [target]}],
        },
    )
    assert r.status_code == 200, r.text
    assert r.json()["options"][0]["targets"][0]["objective"] == 0.995
