"""The audit trail through the API: the same filters as the page (object, user, period) over
the same service, an entry with nothing after it (a removed link) included."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.web.test_audit_page import linked_then_unlinked


def test_the_api_trail_is_filtered_by_period_and_keeps_removed_links(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    sla_id, uc_id = linked_then_unlinked(session, world)
    march = dt.datetime(2020, 3, 1, 12, tzinfo=dt.UTC)
    session.execute(update(AuditEntry).where(AuditEntry.object_type == "party").values(at=march))
    viewer = auth(tokens["viewer"])
    r = client.get(
        "/api/v1/audit",
        headers=viewer,
        params={"since": "2020-03-01T00:00:00Z", "until": "2020-03-02T00:00:00+00:00"},
    )
    assert r.status_code == 200, r.text
    assert {e["object_type"] for e in r.json()["items"]} == {"party"}
    assert r.json()["total"] >= 2
    unlinked = client.get(
        "/api/v1/audit", headers=viewer, params={"object_type": "underpinning", "limit": 1}
    ).json()["items"][0]
    assert unlinked["action"] == "unlink"
    assert unlinked["after"] is None
    assert unlinked["before"]["sla_id"] == sla_id
    assert unlinked["before"]["supporting_id"] == uc_id
    for params in ({"since": "2020-03-02T00:00:00Z", "until": "2020-03-01T00:00:00Z"},):
        bad = client.get("/api/v1/audit", headers=viewer, params=params)
        assert bad.status_code == 422, bad.text
        assert bad.json()["error"]["field"] == "until"
    naive = client.get("/api/v1/audit", headers=viewer, params={"since": "2020-03-01T00:00:00"})
    assert naive.status_code == 422
