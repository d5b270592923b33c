"""/api/v1/tickets as the queue: filters, sorting and paging as query parameters, each ticket
with its headline clock, representatives scoped, and the JSON error shape for what is not
offered."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.queue_fixtures import queue_world


def test_the_queue_filters_sorts_and_pages_with_each_tickets_clock(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    staff = auth(tokens["manager"])
    first = client.get("/api/v1/tickets?sort=deadline&limit=2", headers=staff).json()
    assert (first["total"], first["page"], first["pages"], first["limit"]) == (8, 1, 4, 2)
    assert [t["external_id"] for t in first["items"]] == ["OVERDUE", "AT-RISK"]
    clock = first["items"][1]["clock"]
    assert (clock["status"], clock["target"], clock["left_seconds"] > 0) == (
        "at_risk",
        "P1-resolution",
        True,
    )
    second = client.get("/api/v1/tickets?sort=deadline&limit=2&page=2", headers=staff).json()
    assert [t["external_id"] for t in second["items"]] == ["RUNNING", "PAUSED"]
    url = f"/api/v1/tickets?customer=ACME&priority=P1&agreement={sla_in_force}&clock=overdue"
    only = client.get(url, headers=staff).json()
    assert [(t["external_id"], t["customer"]) for t in only["items"]] == [("OVERDUE", "ACME")]


def test_a_representative_gets_only_their_customers_tickets(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    theirs = client.get("/api/v1/tickets", headers=auth(tokens["outsider"])).json()
    assert [(t["external_id"], t["clock"]) for t in theirs["items"]] == [("GLOBEX", None)]
    mine = client.get("/api/v1/tickets?clock=at_risk", headers=auth(tokens["customer_rep"]))
    assert [t["external_id"] for t in mine.json()["items"]] == ["AT-RISK"]
    refused = client.get("/api/v1/tickets?customer=ACME", headers=auth(tokens["outsider"]))
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "customer")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("sort=colour", "sort"),
        ("page=0", "page"),
        ("limit=501", "limit"),
        ("clock=late", "clock"),
        ("page=2&offset=50", "page"),
        ("agreement=0", "agreement"),
    ],
)
def test_what_the_queue_does_not_offer_is_a_422_naming_the_parameter(
    client: TestClient, tokens: dict[str, str], query: str, field: str
) -> None:
    r = client.get(f"/api/v1/tickets?{query}", headers=auth(tokens["viewer"]))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", field)
    assert error["message"]
