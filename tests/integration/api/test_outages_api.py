"""Outages in, availability within service hours out — the same figures as the engine's."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth

OFFICE = {"timezone": "UTC", "hours": {"mon-fri": "09:00-18:00"}}


def test_availability_from_recorded_outages(client: TestClient, tokens: dict[str, str]) -> None:
    staff = auth(tokens["admin"])
    assert (
        client.post(
            "/api/v1/calendars", headers=staff, json={"code": "office", "definition": OFFICE}
        ).status_code
        == 201
    )
    for start, end, planned in (
        ("2025-03-03T10:00:00Z", "2025-03-03T12:00:00Z", False),
        ("2025-03-03T11:00:00Z", "2025-03-03T13:00:00Z", False),  # overlaps: counted once
        ("2025-03-03T20:00:00Z", "2025-03-03T23:00:00Z", False),  # after hours: free
        ("2025-03-04T09:00:00Z", "2025-03-04T10:00:00Z", True),  # maintenance
    ):
        r = client.post(
            "/api/v1/outages",
            headers=staff,
            json={"service": "erp", "starts_at": start, "ends_at": end, "planned": planned},
        )
        assert r.status_code == 201, r.text
    viewer = auth(tokens["viewer"])
    listed = client.get(
        "/api/v1/outages?service=erp&start=2025-03-03T00:00:00Z", headers=viewer
    ).json()
    assert len(listed) == 4
    a = client.get(
        "/api/v1/availability",
        headers=viewer,
        params={"service": "erp", "calendar": "office", "period": "2025-03", "objective": 0.98},
    ).json()
    working = 21 * 9 * 3600 - 3600  # March 2025 has 21 weekdays; minus the maintenance hour
    assert (a["agreed_seconds"], a["downtime_seconds"], a["outages"]) == (working, 3 * 3600, 1)
    assert a["availability"] == (working - 3 * 3600) / working
    assert a["objective_met"] is True  # 98.4 % against 98 %


def test_bad_outages_and_periods_are_named(client: TestClient, tokens: dict[str, str]) -> None:
    staff = auth(tokens["admin"])
    r = client.post(
        "/api/v1/outages",
        headers=staff,
        json={
            "service": "erp",
            "starts_at": "2025-03-03T12:00:00Z",
            "ends_at": "2025-03-03T10:00:00Z",
        },
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "ends_at")
    r = client.post(
        "/api/v1/outages",
        headers=staff,
        json={
            "service": "erp",
            "starts_at": "2025-03-03T12:00:00",
            "ends_at": "2025-03-03T13:00:00Z",
        },
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "starts_at")
    client.post("/api/v1/calendars", headers=staff, json={"code": "office", "definition": OFFICE})
    r = client.get(
        "/api/v1/availability",
        headers=staff,
        params={"service": "erp", "calendar": "office", "period": "March"},
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "period")
    r = client.get(
        "/api/v1/availability",
        headers=staff,
        params={"service": "erp", "calendar": "nope", "period": "2025-03"},
    )
    assert r.status_code == 404


def test_list_bounds_need_an_offset(client: TestClient, tokens: dict[str, str]) -> None:
    r = client.get("/api/v1/outages?start=2025-03-03T00:00:00", headers=auth(tokens["viewer"]))
    assert (r.status_code, r.json()["error"]["field"]) == (422, "start")


def test_outages_and_maintenance_windows_from_csv_all_or_nothing(
    client: TestClient, tokens: dict[str, str]
) -> None:
    staff = {"Authorization": f"Bearer {tokens['admin']}"}
    good = (
        "service,start,end,planned,title\n"
        "erp,2025-03-04T10:00:00+08:00,2025-03-04T11:00:00+08:00,no,Database down\n"
        "erp,2025-03-08T22:00:00+08:00,2025-03-09T02:00:00+08:00,yes,Patch window\n"
    )
    bad = good + "erp,2025-03-10T10:00:00,2025-03-10T09:00:00+08:00,no,x\nerp,soon,later,maybe,y\n"
    refused = client.post("/api/v1/outages/import", headers=staff, json={"csv": bad})
    assert refused.status_code == 422
    assert [d["row"] for d in refused.json()["error"]["details"]] == [4, 5]
    assert client.get("/api/v1/outages", headers=staff).json()["total"] == 0  # nothing half-stored
    done = client.post("/api/v1/outages/import", headers=staff, json={"csv": good, "source": "nms"})
    assert (done.status_code, done.json()) == (201, {"recorded": 2})
    listed = client.get("/api/v1/outages?service=erp", headers=staff).json()["items"]
    assert sorted(o["planned"] for o in listed) == [False, True]
    columns = client.post("/api/v1/outages/import", headers=staff, json={"csv": "a,b\n1,2\n"})
    assert (columns.status_code, columns.json()["error"]["field"]) == (422, "csv")
