"""The whole SLM1–SLM3 path through the API, as the process describes it: a service approved →
a work item → a requirement captured → it exceeds the catalog → a change request → an SLA
drafted (its document from the standard template) → negotiated over two versions → signed by
both parties → active; an OLA and a UC linked, and one inconsistency detected."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from tests.integration.api.conftest import auth
from tests.integration.factories import PASSWORD, World


def call(client: TestClient, token: str, method: str, path: str, **body: Any) -> Any:
    r = client.request(method, f"/api/v1{path}", headers=auth(token), json=body or None)
    assert r.status_code < 300, (method, path, r.status_code, r.text)
    return r.json() if r.content and r.headers["content-type"].startswith("application/json") else r


def test_the_slm_path_from_an_approved_service_to_an_sla_in_force(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    for code, kind in (("NET", "internal_team"), ("CLOUD", "supplier")):
        parties.create_party(session, actor=SYSTEM, data=parties.PartyData(code, kind, code, {}))
    session.flush()
    admin, manager, owner, rep = (tokens[k] for k in ("admin", "manager", "owner", "customer_rep"))
    cal = call(
        client,
        admin,
        "POST",
        "/calendars",
        code="bj",
        definition={
            "name": "Beijing office",
            "timezone": "Asia/Shanghai",
            "hours": {"mon-fri": ["09:00-18:00"]},
            "holidays": {"country": "CN"},
        },
    )

    # SLM1: a service with its options is approved, which puts "define the SLA" on the work list
    service = call(
        client,
        admin,
        "POST",
        "/services",
        code="desk",
        name="Service desk",
        names={"zh-Hans": "服务台"},
        calendar_id=cal["id"],
    )
    gold = {
        "code": "gold",
        "name": "Gold",
        "targets": [{"metric": "resolution", "priority": "P1", "within": "4h", "objective": 0.95}],
    }
    service = call(
        client, admin, "PUT", f"/services/{service['id']}/options", lock_version=1, options=[gold]
    )
    service = call(
        client,
        manager,
        "POST",
        f"/services/{service['id']}/lifecycle",
        lock_version=service["lock_version"],
        transition="approve",
    )
    call(
        client,
        admin,
        "POST",
        f"/services/{service['id']}/lifecycle",
        lock_version=service["lock_version"],
        transition="publish",
    )
    work = call(client, manager, "GET", "/work-items?status=open")
    assert [(w["kind"], w["service_id"]) for w in work["items"]] == [("define_sla", service["id"])]

    # SLM2: the customer asks for more than the catalog offers → a change request
    slr = call(
        client,
        manager,
        "POST",
        "/requirements",
        code="SLR-1",
        customer_id=world.acme_id,
        service_id=service["id"],
        title="P1 fixed in two hours",
        targets=[{"metric": "resolution", "priority": "P1", "within": "2h", "objective": 0.99}],
    )
    slr = call(
        client,
        manager,
        "POST",
        f"/requirements/{slr['id']}/analysis",
        lock_version=slr["lock_version"],
    )
    assert slr["targets"][0]["outcome"] == "exceeds"
    [change] = call(client, rep, "GET", "/change-requests")["items"]
    assert change["details"]["requirement"] == "SLR-1"

    # SLM3: the SLA is drafted, negotiated over two versions, signed by both, put in force
    document = {
        "id": "SLA-DESK",
        "kind": "SLA",
        "title": {"en": "Service desk for Acme", "zh-Hans": "阿克米服务台"},
        "provider": "Acme IT",
        "customer": "ACME",
        "services": ["desk"],
        "term": {"start": "2026-01-01", "end": "2026-12-31"},
        "calendars": {"office": "bj", "always": "24x7"},
        "clocks": {
            "resolution": {
                "pause": {"states": ["Awaiting Customer"]},
                "stop": {"states": ["Resolved"]},
            }
        },
        "targets": [
            {
                "id": "P1",
                "clock": "resolution",
                "when": {"priority": "P1"},
                "within": "4h",
                "calendar": "always",
                "objective": "95%",
            }
        ],
    }
    sla = call(client, manager, "POST", "/agreements", document=document)
    sid = sla["id"]
    v1 = call(client, manager, "GET", f"/agreements/{sid}/versions/1")
    call(
        client,
        manager,
        "POST",
        f"/agreements/{sid}/versions/1/steps",
        lock_version=v1["lock_version"],
        step="propose",
    )
    call(
        client,
        rep,
        "POST",
        f"/agreements/{sid}/versions/1/comments",
        clause="targets.P1",
        body="We asked for two hours",
    )
    sla = call(client, manager, "GET", f"/agreements/{sid}")
    v2 = call(
        client,
        manager,
        "POST",
        f"/agreements/{sid}/versions",
        lock_version=sla["lock_version"],
        note="P1 within 3h, as a compromise",
    )
    agreed = copy.deepcopy(v2["document"])
    agreed["targets"][0]["within"] = "3h"
    v2 = call(
        client,
        manager,
        "PUT",
        f"/agreements/{sid}/versions/2",
        lock_version=v2["lock_version"],
        document=agreed,
    )
    for who, step in ((manager, "propose"), (owner, "approve")):
        v2 = call(
            client,
            who,
            "POST",
            f"/agreements/{sid}/versions/2/steps",
            lock_version=v2["lock_version"],
            step=step,
        )
    diff = call(client, rep, "GET", f"/agreements/{sid}/diff?old=1&new=2")
    assert [c["clause"] for c in diff["clauses"]] == ["targets.P1"]
    for who in (rep, manager):
        v2 = call(
            client,
            who,
            "POST",
            f"/agreements/{sid}/versions/2/signatures",
            lock_version=v2["lock_version"],
            password=PASSWORD,
        )
    assert v2["state"] == "signed"
    call(
        client,
        manager,
        "POST",
        f"/agreements/{sid}/versions/2/steps",
        lock_version=v2["lock_version"],
        step="activate",
        effective="2026-01-01T00:00:00+08:00",
    )
    call(client, manager, "POST", "/agreements/refresh")
    sla = call(client, rep, "GET", f"/agreements/{sid}")
    assert sla["status"] in ("active", "expiring")  # expiring once within 60 days of the end
    html = call(client, rep, "GET", f"/agreements/{sid}/rendering?language=zh-Hans").text
    assert "阿克米服务台" in html
    assert "服务级别协议 SLA-DESK" in html  # from the standard template

    # Underpinning: an OLA and a UC; the UC ends before the SLA — one inconsistency
    ola = {**agreed, "id": "OLA-NET", "kind": "OLA", "internal_team": "NET", "title": "Network"}
    uc = {
        **agreed,
        "id": "UC-CLOUD",
        "kind": "UC",
        "supplier": "CLOUD",
        "title": "Hosting",
        "term": {"start": "2026-01-01", "end": "2026-06-30"},
    }
    for extra in (ola, uc):
        del extra["customer"]
        made = call(client, manager, "POST", "/agreements", document=extra)
        call(client, manager, "PUT", f"/agreements/{sid}/underpinning/{made['id']}")
    hidden = client.get(f"/api/v1/agreements/{sid}/underpinning", headers=auth(rep))
    assert hidden.status_code == 403  # the customer does not see the provider's OLAs and UCs
    found = call(client, tokens["viewer"], "GET", f"/agreements/{sid}/underpinning")
    assert sorted(a["code"] for a in found["linked"]) == ["OLA-NET", "UC-CLOUD"]
    assert [(f["kind"], f["supporting"]) for f in found["findings"]] == [
        ("ends_earlier", "UC-CLOUD")
    ]
    portfolio = call(client, owner, "GET", "/portfolio/findings")
    assert [f["kind"] for f in portfolio["items"]] == ["ends_earlier"]
