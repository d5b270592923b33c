"""/api/v1/agreements/{id}/survey-policy and /survey-invitations: a manager says when the
customer is asked and sees who was; the representative reads the policy, changes nothing."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.reviews import invitations as survey_invitations
from tests.integration.api.conftest import auth


def test_a_manager_sets_the_policy_and_sees_the_invitations(
    client: TestClient, session: Session, tokens: dict[str, str], sla_in_force: int
) -> None:
    url = f"/api/v1/agreements/{sla_in_force}/survey-policy"
    manager, rep = auth(tokens["manager"]), auth(tokens["customer_rep"])
    none = client.get(url, headers=manager)
    assert (none.status_code, none.json()["error"]["code"]) == (404, "not_found")
    bad = client.put(url, headers=manager, json={"every": "weekly"})
    assert bad.status_code == 422
    assert client.put(url, headers=rep, json={}).status_code == 403
    r = client.put(url, headers=manager, json={"every": "quarter", "after_tickets": True})
    assert r.status_code == 200, r.text
    assert (r.json()["every"], r.json()["after_tickets"], r.json()["scale"]) == ("quarter", True, 5)
    assert client.get(url, headers=rep).json()["every"] == "quarter"
    listed = f"/api/v1/agreements/{sla_in_force}/survey-invitations"
    assert client.get(listed, headers=manager).json()["items"] == []
    assert client.get(listed, headers=rep).status_code == 403
    outsider = client.get(url, headers=auth(tokens["outsider"]))
    assert outsider.status_code == 404
    now = dt.datetime.now(dt.UTC)
    assert survey_invitations.invite_due(session, now=now) == 0  # nobody at Acme has an address
