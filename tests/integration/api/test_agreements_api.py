"""The agreements API: the path from a draft to an agreement in force, with a second version,
comments, a diff, signatures, underpinning and its findings — and bad input named, never 500."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor
from tests.integration.agreement_fixtures import SLA, everyone, ola
from tests.integration.api.conftest import auth
from tests.integration.factories import PASSWORD, World


@pytest.fixture
def people(session: Session, world: World, tokens: dict[str, str]) -> dict[str, str]:
    actors: dict[str, Actor] = everyone(session, world)
    out = dict(tokens)
    for name in ("team_member", "supplier_rep"):
        out[name] = identity.issue_token(session, actor=actors[name], name="test")
    session.flush()
    return out


def create(client: TestClient, token: str, doc: dict[str, Any] = SLA) -> dict[str, Any]:
    r = client.post("/api/v1/agreements", headers=auth(token), json={"document": doc})
    assert r.status_code == 201, r.text
    return dict(r.json())


def version(client: TestClient, token: str, agreement_id: int, number: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/agreements/{agreement_id}/versions/{number}", headers=auth(token))
    assert r.status_code == 200, r.text
    return dict(r.json())


def act(
    client: TestClient, token: str, agreement_id: int, number: int, path: str, **body: Any
) -> dict[str, Any]:
    current = version(client, token, agreement_id, number)
    r = client.post(
        f"/api/v1/agreements/{agreement_id}/versions/{number}/{path}",
        headers=auth(token),
        json={"lock_version": current["lock_version"], **body},
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_an_sla_is_negotiated_over_two_versions_signed_and_activated(
    client: TestClient, people: dict[str, str]
) -> None:
    admin, manager, rep = people["admin"], people["manager"], people["customer_rep"]
    sla = create(client, admin)
    aid = sla["id"]
    assert [v["number"] for v in sla["versions"]] == [1]
    act(client, admin, aid, 1, "steps", step="propose")
    r = client.post(
        f"/api/v1/agreements/{aid}/versions/1/comments",
        headers=auth(rep),
        json={"clause": "targets.P2-resolution", "body": "We need P2 fixed within 6 hours"},
    )
    assert r.status_code == 201, r.text
    agreement = client.get(f"/api/v1/agreements/{aid}", headers=auth(admin)).json()
    r = client.post(
        f"/api/v1/agreements/{aid}/versions",
        headers=auth(admin),
        json={"lock_version": agreement["lock_version"], "note": "P2 within 6h as asked"},
    )
    assert r.status_code == 201, r.text
    doc = r.json()["document"]
    doc["targets"][1]["within"] = "6h"
    r = client.put(
        f"/api/v1/agreements/{aid}/versions/2",
        headers=auth(admin),
        json={"lock_version": r.json()["lock_version"], "document": doc},
    )
    assert r.status_code == 200, r.text
    diff = client.get(f"/api/v1/agreements/{aid}/diff?old=1&new=2", headers=auth(rep))
    assert diff.status_code == 404  # version 2 is still the provider's draft
    act(client, admin, aid, 2, "steps", step="propose")
    diff = client.get(f"/api/v1/agreements/{aid}/diff?old=1&new=2", headers=auth(rep)).json()
    assert diff["clauses"][0]["clause"] == "targets.P2-resolution"
    act(client, manager, aid, 2, "steps", step="approve")
    act(client, rep, aid, 2, "signatures", name="Alex Doe", password=PASSWORD)
    signed = act(client, manager, aid, 2, "signatures", password=PASSWORD)
    assert signed["state"] == "signed"
    live = act(
        client, manager, aid, 2, "steps", step="activate", effective="2026-01-01T00:00:00+08:00"
    )
    assert live["in_force_from"].startswith("2025-12-31T16:00:00")
    comments = client.get(f"/api/v1/agreements/{aid}/comments", headers=auth(rep)).json()
    assert comments["total"] == 1
    assert [c["clause"] for c in comments["items"]] == ["targets.P2-resolution"]
    text = client.get(f"/api/v1/agreements/{aid}/document?format=yaml", headers=auth(rep))
    assert "within: 6h" in text.text
    assert text.headers["content-type"].startswith("application/yaml")


def test_a_signed_version_cannot_be_edited(client: TestClient, people: dict[str, str]) -> None:
    admin, manager = people["admin"], people["manager"]
    aid = create(client, admin)["id"]
    act(client, admin, aid, 1, "steps", step="propose")
    v = version(client, admin, aid, 1)
    r = client.put(
        f"/api/v1/agreements/{aid}/versions/1",
        headers=auth(admin),
        json={"lock_version": v["lock_version"], "document": v["document"]},
    )
    assert r.status_code == 409
    assert r.json()["error"]["field"] == "state"
    r = client.post(
        f"/api/v1/agreements/{aid}/versions/1/signatures",
        headers=auth(manager),
        json={"lock_version": v["lock_version"], "password": PASSWORD},
    )
    assert r.status_code == 409  # not approved yet
    assert "proposed: sign is not possible" in r.json()["error"]["message"]
    after = version(client, admin, aid, 1)
    assert (after["lock_version"], after["state"], after["signatures"]) == (
        v["lock_version"],
        "proposed",
        [],
    )


def test_a_comment_on_a_clause_the_version_does_not_have_is_422_naming_the_clause(
    client: TestClient, people: dict[str, str]
) -> None:
    admin, rep = people["admin"], people["customer_rep"]
    aid = create(client, admin)["id"]
    act(client, admin, aid, 1, "steps", step="propose")
    url = f"/api/v1/agreements/{aid}/versions/1/comments"
    r = client.post(
        url, headers=auth(rep), json={"clause": "targets.P9-nothing", "body": "What is it?"}
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "clause")
    assert "targets.P9-nothing is not a clause of this version" in error["message"]
    r = client.post(url, headers=auth(rep), json={"clause": "", "body": "Fine overall"})
    assert r.status_code == 201, r.text
    comments = client.get(f"/api/v1/agreements/{aid}/comments", headers=auth(rep)).json()
    assert [(c["clause"], c["body"]) for c in comments["items"]] == [("", "Fine overall")]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ({**SLA, "targets": [{**SLA["targets"][0], "id": "x" * 65}]}, "targets.0.id"),
        ({**SLA, "provider": "bad\x00text"}, "provider"),
        ({**SLA, "timezone": "Mars/Olympus"}, "timezone"),
        ({**SLA, "kind": "XLA"}, "kind"),
        ({**SLA, "fee": {"amount": -1}}, "fee.amount"),
        ({"id": "only", "kind": "SLA"}, "calendars"),
        ({"id": "no-kind", "calendars": {"always": "24x7"}}, "kind"),  # never taken as an SLA
    ],
)
def test_bad_documents_are_422_with_the_field(
    client: TestClient, people: dict[str, str], document: dict[str, Any], field: str
) -> None:
    r = client.post(
        "/api/v1/agreements", headers=auth(people["admin"]), json={"document": document}
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["field"] == field


def test_underpinning_links_and_findings(client: TestClient, people: dict[str, str]) -> None:
    admin = people["admin"]
    sla = create(client, admin)
    slow = copy.deepcopy(SLA["targets"])
    slow[0]["objective"] = "90%"
    team = create(client, admin, ola(targets=slow))
    url = f"/api/v1/agreements/{sla['id']}/underpinning"
    assert client.put(f"{url}/{team['id']}", headers=auth(admin)).status_code == 204
    assert client.put(f"{url}/{team['id']}", headers=auth(admin)).status_code == 409
    body = client.get(url, headers=auth(people["viewer"])).json()
    assert [a["code"] for a in body["linked"]] == ["OLA-1"]
    assert [f["kind"] for f in body["findings"]] == ["looser_target"]
    portfolio = client.get("/api/v1/portfolio/findings", headers=auth(people["owner"])).json()
    assert [f["sla"] for f in portfolio["items"]] == ["SLA-1"]
    team_view = client.get(
        f"/api/v1/agreements/{team['id']}/underpinning", headers=auth(people["team_member"])
    )
    assert team_view.status_code == 403  # underpinning is internal: no representative sees it
    assert client.delete(f"{url}/{team['id']}", headers=auth(admin)).status_code == 204
    assert client.delete(f"{url}/{team['id']}", headers=auth(admin)).status_code == 404


def test_lists_filter_by_kind_and_scope(client: TestClient, people: dict[str, str]) -> None:
    create(client, people["admin"])
    create(client, people["admin"], ola())
    listed = client.get("/api/v1/agreements?kind=OLA", headers=auth(people["viewer"])).json()
    assert [a["code"] for a in listed["items"]] == ["OLA-1"]
    mine = client.get("/api/v1/agreements", headers=auth(people["supplier_rep"])).json()
    assert mine["total"] == 0


def test_signing_through_the_api_asks_for_the_password_again_as_the_web_page_does(
    client: TestClient, people: dict[str, str]
) -> None:
    admin, manager, viewer = people["admin"], people["manager"], people["viewer"]
    aid = create(client, admin)["id"]
    act(client, admin, aid, 1, "steps", step="propose")
    act(client, manager, aid, 1, "steps", step="approve")
    url = f"/api/v1/agreements/{aid}/versions/1/signatures"
    before = version(client, manager, aid, 1)
    lock = {"lock_version": before["lock_version"]}
    missing = client.post(url, headers=auth(manager), json=lock)
    assert missing.status_code == 422
    assert "password" in missing.text
    wrong = client.post(url, headers=auth(manager), json={**lock, "password": "not it"})
    assert wrong.status_code == 422
    assert wrong.json()["error"]["field"] == "password"
    # a role that may not sign is told so before its password is read
    refused = client.post(url, headers=auth(viewer), json={**lock, "password": "not it"})
    assert refused.status_code == 403
    after = version(client, manager, aid, 1)
    assert (after["lock_version"], after["state"], after["signatures"]) == (
        before["lock_version"],
        "approved",
        [],
    )
    signed = act(client, manager, aid, 1, "signatures", password=PASSWORD)
    assert [s["side"] for s in signed["signatures"]] == ["provider"]
