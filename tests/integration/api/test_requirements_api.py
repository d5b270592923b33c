"""The requirements API: capture → analysis → change request → decision, demand, what-if."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.api.conftest import auth
from tests.integration.api.test_catalog_api import new_service, transition
from tests.integration.factories import World


def published(client: TestClient, tokens: dict[str, str]) -> dict[str, Any]:
    service = transition(client, tokens["manager"], new_service(client, tokens), "approve")
    return transition(client, tokens["admin"], service, "publish")


def test_a_requirement_is_captured_analysed_and_decided(
    client: TestClient, tokens: dict[str, str], world: World
) -> None:
    service = published(client, tokens)
    body = {
        "code": "SLR-1",
        "customer_id": world.acme_id,
        "service_id": service["id"],
        "title": "Trading desk e-mail",
        "targets": [
            {"metric": "resolution", "priority": "P1", "within": "2h", "objective": 0.99},
            {"metric": "availability", "objective": 0.995},
        ],
    }
    r = client.post("/api/v1/requirements", headers=auth(tokens["manager"]), json=body)
    assert r.status_code == 201, r.text
    slr = r.json()
    assert slr["status"] == "captured"
    r = client.post(
        f"/api/v1/requirements/{slr['id']}/analysis",
        headers=auth(tokens["manager"]),
        json={"lock_version": slr["lock_version"]},
    )
    assert r.status_code == 200, r.text
    analysed = r.json()
    assert [t["outcome"] for t in analysed["targets"]] == ["exceeds", "within"]
    assert analysed["targets"][0]["analysis"]["time_short"] == 7200
    assert analysed["targets"][1]["analysis"]["option"] == "gold"
    [change] = analysed["change_requests"]
    assert change["delivery"] == "not_configured"
    rep = client.get(f"/api/v1/requirements/{slr['id']}", headers=auth(tokens["customer_rep"]))
    assert rep.status_code == 200
    other = client.get(f"/api/v1/requirements/{slr['id']}", headers=auth(tokens["outsider"]))
    assert other.status_code == 404
    r = client.patch(
        f"/api/v1/change-requests/{change['id']}",
        headers=auth(tokens["admin"]),
        json={
            "lock_version": change["lock_version"],
            "status": "accepted",
            "external_ref": "CHG0042",
        },
    )
    assert (r.status_code, r.json()["external_ref"]) == (200, "CHG0042")
    r = client.post(
        f"/api/v1/requirements/{slr['id']}/decision",
        headers=auth(tokens["owner"]),
        json={
            "lock_version": analysed["lock_version"],
            "decision": "agreed",
            "note": "Gold, with P1 in 2h",
        },
    )
    assert (r.status_code, r.json()["status"]) == (200, "agreed")
    demand = client.get(f"/api/v1/services/{service['id']}/demand", headers=auth(tokens["viewer"]))
    assert [d["within"] for d in demand.json()["items"]] == ["", "2h"]


def test_bad_input_is_named(client: TestClient, tokens: dict[str, str], world: World) -> None:
    service = published(client, tokens)
    base = {"code": "S", "customer_id": world.acme_id, "service_id": service["id"], "title": "T"}
    for targets, field in [
        ([{"metric": "resolution", "objective": 0.9, "within": "soon"}], "targets.0.within"),
        ([], "targets"),
    ]:
        r = client.post(
            "/api/v1/requirements", headers=auth(tokens["admin"]), json={**base, "targets": targets}
        )
        assert r.status_code == 422, r.text
        assert r.json()["error"]["field"] == field
    r = client.post(
        "/api/v1/requirements",
        headers=auth(tokens["admin"]),
        json={
            **base,
            "customer_id": 2**62,
            "targets": [{"metric": "availability", "objective": 0.9}],
        },
    )
    assert (r.status_code, r.json()["error"]["field"]) == (422, "customer_id")


def test_what_if_answers_with_figures_even_without_tickets(
    client: TestClient, tokens: dict[str, str]
) -> None:
    service = published(client, tokens)
    url = (
        f"/api/v1/what-if?service_id={service['id']}&metric=resolution&priority=P1"
        "&within=4h&objective=0.95&period=2026-03"
    )
    r = client.get(url, headers=auth(tokens["viewer"]))
    assert r.status_code == 200, r.text
    assert (r.json()["tickets"], r.json()["compliance"]["within"]) == (0, None)
    bad = client.get(url.replace("2026-03", "March"), headers=auth(tokens["viewer"]))
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "period")
    avail = client.get(
        f"/api/v1/what-if?service_id={service['id']}&metric=availability&objective=0.999"
        "&period=2026-03",
        headers=auth(tokens["viewer"]),
    )
    assert avail.status_code == 200, avail.text
    assert avail.json()["availability"] == 1.0
