"""GET /api/v1/teams/attainment (issue 16): each team's month as JSON, a clear error for a
period that is not a month, and nothing for a customer's representative."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.team_fixtures import MONTH, march_of_two_teams


def test_each_team_s_month_reads_as_json(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    ola_id = march_of_two_teams(session, world, sla_in_force)
    r = client.get(f"/api/v1/teams/attainment?period={MONTH}", headers=auth(tokens["viewer"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["period"], body["start"][:10], body["end"][:10]) == (
        "2026-03",
        "2026-03-01",
        "2026-04-01",
    )
    teams = {t["team"]: t for t in body["teams"]}
    assert sorted(teams) == ["network", "service-desk"]
    network, desk = teams["network"], teams["service-desk"]
    assert network["agreements"] == [
        {
            "agreement_id": ola_id,
            "code": "OLA-1",
            "title": "Network support",
            "kind": "OLA",
            "met": 2,
            "breached": 1,
            "within": network["within"],
        }
    ]
    assert round(network["within"], 4) == round(2 / 3, 4)
    assert (network["breaches"], network["excluded"], network["handed"]) == (2, 0, 3)
    assert (desk["agreements"], desk["within"], desk["breaches"], desk["handed"]) == (
        [],
        None,
        1,
        2,
    )
    listed = client.get("/api/v1/breaches?team=service-desk", headers=auth(tokens["manager"]))
    assert listed.json()["total"] == 1


def test_a_period_that_is_not_a_month_is_a_json_error_naming_it(
    client: TestClient, tokens: dict[str, str]
) -> None:
    r = client.get("/api/v1/teams/attainment?period=2026-13", headers=auth(tokens["manager"]))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == "period"
    assert "YYYY-MM" in error["message"]


def test_a_customer_representative_may_not_read_teams(
    client: TestClient, tokens: dict[str, str]
) -> None:
    r = client.get("/api/v1/teams/attainment", headers=auth(tokens["customer_rep"]))
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "forbidden"
