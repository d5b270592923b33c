"""A ticket's measurements and clock explanation through the API, scoped like the ticket's
page: a representative sees their own customer's tickets only, and on them only the clocks
of their own agreements (never an OLA's or a UC's)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.demo.agreements import put_in_force
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import recompute
from tests.integration.agreement_fixtures import SLA, everyone, ola
from tests.integration.api.conftest import auth
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import add_ticket

UTC = dt.UTC
OPENED = dt.datetime(2026, 3, 3, 9, tzinfo=UTC)  # Tuesday 17:00 in Beijing
NOW = OPENED + dt.timedelta(days=2)


def _in_force(session: Session, actors: dict[str, Actor], doc: dict[str, Any], signer: str) -> int:
    made = agreements.create_agreement(session, actor=actors["admin"], document=copy.deepcopy(doc))
    signers = [actors["manager"], actors[signer]]
    put_in_force(session, made, dt.datetime(2026, 1, 1, tzinfo=UTC), signers)
    return made.id


@pytest.fixture
def measured(session: Session, world: World) -> int:
    """Acme's P2 ticket, measured by Acme's SLA and by the network team's OLA."""
    actors = everyone(session, world)
    ids = [
        _in_force(session, actors, SLA, "customer_rep"),
        _in_force(session, actors, ola(), "team_member"),
    ]
    tid = add_ticket(
        session,
        world,
        "P2-1",
        [
            (OPENED, "New", "created"),
            (dt.datetime(2026, 3, 4, 1, 30, tzinfo=UTC), "Awaiting Customer", ""),
            (dt.datetime(2026, 3, 4, 2, tzinfo=UTC), "Resolved", ""),
        ],
        priority="P2",
    )
    session.flush()
    for agreement_id in ids:
        recompute.recompute(session, agreement_id=agreement_id, now=NOW)
    session.flush()
    return tid


def test_staff_read_every_measurement_of_a_ticket(
    client: TestClient, tokens: dict[str, str], measured: int
) -> None:
    r = client.get(f"/api/v1/tickets/{measured}/measurements", headers=auth(tokens["manager"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["total"] == 2
    rows = {(m["agreement"], m["target_key"]): m for m in body["items"]}
    assert set(rows) == {("SLA-1", "P2-resolution"), ("OLA-1", "P2-resolution")}
    sla = rows["SLA-1", "P2-resolution"]
    assert (sla["status"], sla["version_number"], sla["budget_seconds"]) == ("met", 1, 8 * 3600)
    assert sla["paused_seconds"] == 30 * 60  # awaiting the customer 09:30–10:00
    assert sla["used_seconds"] == 90 * 60  # 17:00–18:00 and 09:00–09:30 Beijing


def test_the_explanation_names_each_step_and_its_cause(
    client: TestClient, tokens: dict[str, str], measured: int
) -> None:
    r = client.get(f"/api/v1/tickets/{measured}/explanation", headers=auth(tokens["owner"]))
    assert r.status_code == 200, r.text
    shown = {(x["agreement"], x["target"]): x for x in r.json()["items"]}
    assert set(shown) == {("SLA-1", "P2-resolution"), ("OLA-1", "P2-resolution")}
    sla = shown["SLA-1", "P2-resolution"]
    assert sla["version_number"] == 1
    assert [(s["mode"], s["cause"]) for s in sla["steps"]] == [
        ("version", "measured under version 1 of SLA-1, in force when the ticket started"),
        ("running", "running"),
        ("closed", "not counted: business is closed"),
        ("running", "counting again: business opens"),
        ("paused", "pause state Awaiting Customer"),
        ("stopped", "stop state Resolved"),
    ]
    paused = sla["steps"][4]
    assert (paused["why"], paused["params"]) == (
        "pause state {state}",
        {"state": "Awaiting Customer"},
    )


@pytest.mark.parametrize("what", ["measurements", "explanation"])
def test_a_customer_rep_sees_only_their_own_agreements_clocks(
    client: TestClient, tokens: dict[str, str], measured: int, what: str
) -> None:
    r = client.get(f"/api/v1/tickets/{measured}/{what}", headers=auth(tokens["customer_rep"]))
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 1
    [only] = r.json()["items"]
    assert only["agreement"] == "SLA-1"
    assert "OLA" not in r.text


@pytest.mark.parametrize("what", ["measurements", "explanation"])
def test_another_customers_rep_gets_404_as_for_a_ticket_that_does_not_exist(
    client: TestClient, tokens: dict[str, str], measured: int, what: str
) -> None:
    hidden = client.get(f"/api/v1/tickets/{measured}/{what}", headers=auth(tokens["outsider"]))
    missing = client.get(f"/api/v1/tickets/999999/{what}", headers=auth(tokens["outsider"]))
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["error"]["message"] == f"no ticket {measured}"


@pytest.mark.parametrize("persona", ["owner", "manager", "admin", "viewer"])
def test_every_staff_role_reads_the_clocks(
    client: TestClient, tokens: dict[str, str], measured: int, persona: str
) -> None:
    for what in ("measurements", "explanation"):
        r = client.get(f"/api/v1/tickets/{measured}/{what}", headers=auth(tokens[persona]))
        assert (r.status_code, r.json()["total"]) == (200, 2), (persona, what, r.text)


def test_the_clocks_need_a_token(client: TestClient, measured: int) -> None:
    r = client.get(f"/api/v1/tickets/{measured}/measurements")
    assert r.status_code == 401
