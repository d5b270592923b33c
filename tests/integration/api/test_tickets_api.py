"""The tickets API: filters, timelines, and representatives limited to their customer."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.demo.tickets import load_demo_tickets
from tests.integration.api.conftest import auth
from tests.integration.factories import World


def test_tickets_with_timelines_and_scoping(
    client: TestClient, session: Session, tokens: dict[str, str], world: World
) -> None:
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.parties import directory as parties

    for code in ("CONTOSO", "FABRIKAM"):
        parties.create_party(
            session, actor=SYSTEM, data=parties.PartyData(code, "customer", code.title(), {})
        )
    assert load_demo_tickets(session, dt.datetime(2026, 3, 31, 18, tzinfo=dt.UTC), days=30) > 50
    session.flush()
    viewer = auth(tokens["viewer"])
    listed = client.get("/api/v1/tickets?priority=P3&limit=5", headers=viewer).json()
    assert listed["total"] > 0
    assert {t["priority"] for t in listed["items"]} == {"P3"}
    first = listed["items"][0]
    detail = client.get(f"/api/v1/tickets/{first['id']}", headers=viewer).json()
    assert detail["events"][0]["event"] == "created"
    assert [e["seq"] for e in detail["events"]] == list(range(len(detail["events"])))
    # the ACME representative sees none of Contoso's or Fabrikam's tickets
    rep = auth(tokens["customer_rep"])
    assert client.get("/api/v1/tickets", headers=rep).json()["total"] == 0
    assert client.get(f"/api/v1/tickets/{first['id']}", headers=rep).status_code == 404
