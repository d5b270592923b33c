"""Stored ticket mappings through the API, and webhooks that read with any of them: a ticket
posted in a source's own shape lands with the customer and service the mapping's lookups give
it, and is measured by that customer's SLA."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry, Party
from servicelevel.definitions.ticket_mappings import SHIPPED
from servicelevel.services.monitoring import recompute
from tests.integration.api.conftest import auth
from tests.integration.factories import World

OPENED = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)  # a Tuesday; P1: 4 h on 24x7
DESK = """\
source: desk
columns: {ticket: id, at: when, state: status, priority: urgency}
lookup:
  customer: {from: org, values: {"Acme Corp": ACME}}
  service: {from: product, values: {Mail: email, ERP: erp}}
"""


def record(number: str, hours: float, status: str, org: str = "Acme Corp") -> dict[str, Any]:
    when = (OPENED + dt.timedelta(hours=hours)).isoformat()
    return {"id": number, "when": when, "status": status, "urgency": "P1", "org": org,
            "product": "Mail"}  # fmt: skip


def store(client: TestClient, token: str, name: str = "desk", text: str = DESK) -> Any:
    body = {"name": name, "definition": text}
    return client.post("/api/v1/ticket-mappings", headers=auth(token), json=body)


def test_a_ticket_posted_with_a_stored_mapping_is_measured_by_its_customers_sla(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    admin = auth(tokens["admin"])
    assert store(client, tokens["admin"]).status_code == 201
    posted = client.post(
        "/api/v1/webhooks/desk",
        headers=admin,
        json=[record("D-1", 0, "New"), record("D-1", 2, "Resolved")],
    )
    assert posted.status_code == 200, posted.text
    assert (posted.json()["stored"], posted.json()["customers_created"]) == (2, [])
    [ticket] = client.get("/api/v1/tickets?q=D-1", headers=admin).json()["items"]
    assert (ticket["customer_id"], ticket["service"]) == (world.acme_id, "email")
    assert ticket["state"] == "Resolved"
    recompute.recompute(session, agreement_id=sla_in_force, now=OPENED + dt.timedelta(hours=5))
    url = f"/api/v1/tickets/{ticket['id']}/measurements"
    [measured] = client.get(url, headers=admin).json()["items"]
    assert (measured["agreement_id"], measured["target_key"]) == (sla_in_force, "P1-resolution")
    assert (measured["status"], measured["used_seconds"]) == ("met", 2 * 3600)


def test_an_unknown_customer_is_named_and_stores_nothing(
    client: TestClient, world: World, tokens: dict[str, str]
) -> None:
    admin = auth(tokens["admin"])
    store(client, tokens["admin"])
    r = client.post(
        "/api/v1/webhooks/desk", headers=admin, json=[record("D-2", 0, "New", org="Initech")]
    )
    assert r.status_code == 422
    [problem] = r.json()["error"]["details"]
    assert problem["row"] == 1
    assert "unknown customer 'Initech' in column org" in problem["message"]
    assert client.get("/api/v1/tickets?q=D-2", headers=admin).json()["items"] == []


def test_a_webhook_can_create_the_customers_its_mapping_names(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    admin = auth(tokens["admin"])
    keep = DESK.replace('values: {"Acme Corp": ACME}', "unknown: keep")
    store(client, tokens["admin"], "desk-keep", keep)
    url = "/api/v1/webhooks/desk-keep"
    refused = client.post(url, headers=admin, json=[record("D-3", 0, "New", org="initech")])
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["message"] == "no customer initech"
    made = client.post(
        f"{url}?create_customers=true", headers=admin, json=[record("D-3", 0, "New", "initech")]
    )
    assert made.status_code == 200, made.text
    assert made.json()["customers_created"] == ["initech"]
    party = session.scalars(select(Party).where(Party.code == "initech")).one()
    assert party.kind == "customer"


def test_stored_mappings_are_listed_shown_replaced_and_deleted_with_audit(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    admin = auth(tokens["admin"])
    made = store(client, tokens["admin"])
    assert made.json() == {"name": "desk", "shipped": False, "source": "desk", "definition": DESK}
    listed = client.get("/api/v1/ticket-mappings", headers=admin).json()
    assert [(m["name"], m["shipped"]) for m in listed["items"]] == [
        *((name, True) for name in SHIPPED),
        ("desk", False),
    ]
    shipped = client.get("/api/v1/ticket-mappings/zammad", headers=admin).json()
    assert shipped["source"] == "zammad"
    changed = DESK.replace("source: desk", "source: desk2")
    put = client.put("/api/v1/ticket-mappings/desk", headers=admin, json={"definition": changed})
    assert (put.status_code, put.json()["source"]) == (200, "desk2")
    gone = client.delete("/api/v1/ticket-mappings/desk", headers=admin)
    assert gone.status_code == 204
    assert client.get("/api/v1/ticket-mappings/desk", headers=admin).status_code == 404
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_type == "ticket_mapping")
    ).all()
    assert sorted(actions) == ["create", "delete", "update"]


def test_a_mapping_that_cannot_be_used_is_refused_naming_its_line(
    client: TestClient, world: World, tokens: dict[str, str]
) -> None:
    admin = tokens["admin"]
    bad = store(client, admin, "bad", "source: x\ncolumns:\n  ticket: a\n  at: b\n  colour: c\n")
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "definition"
    assert "mapping bad:5: columns.colour: unknown field 'colour'" in bad.json()["error"]["message"]
    assert store(client, admin, "servicenow").status_code == 409  # a shipped name
    assert store(client, admin, "Desk").status_code == 422  # not a name
    big = "source: x\n" + "#" * 70_000 + "\ncolumns: {ticket: a, at: b, state: c}\n"
    assert store(client, admin, "big", big).status_code == 422
    again = [store(client, admin).status_code, store(client, admin).status_code]
    assert again == [201, 409]
    put = client.put("/api/v1/ticket-mappings/jira", headers=auth(admin), json={"definition": DESK})
    assert put.status_code == 409


def test_only_staff_see_or_store_mappings(
    client: TestClient, world: World, tokens: dict[str, str]
) -> None:
    store(client, tokens["admin"])
    for who in ("customer_rep", "viewer"):
        assert client.get("/api/v1/ticket-mappings", headers=auth(tokens[who])).status_code == 403
        assert store(client, tokens[who], "mine").status_code == 403
        posted = client.post(
            "/api/v1/webhooks/nothing-here", headers=auth(tokens[who]), json=[record("X", 0, "N")]
        )
        assert posted.status_code == 403  # before the name is looked up: no names revealed
