"""What a customer's representative may see of underpinning: nothing. The OLAs and UCs behind
their SLA, the suppliers' names and terms and the consistency checks between them are
internal — on the portfolio page, the SLA page and the API (findings, links, agreement detail);
staff still see them all."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.agreement_fixtures import uc
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in

SUPPLIER_WORDS = ("UC-9", "CLOUD", "Hosting", "looser", "ends on", "2026-06-30")


def linked_uc(client: TestClient, tokens: dict[str, str], sla_id: int) -> int:
    """A supplier's UC that ends before the SLA and promises less, linked under it."""
    staff = auth(tokens["manager"])
    doc = uc(id="UC-9", term={"start": "2026-01-01", "end": "2026-06-30"})
    doc["targets"][0]["within"] = "6h"  # the SLA's P1 is 4h: a looser target
    made = client.post("/api/v1/agreements", headers=staff, json={"document": doc})
    assert made.status_code == 201, made.text
    uc_id = int(made.json()["id"])
    r = client.put(f"/api/v1/agreements/{sla_id}/underpinning/{uc_id}", headers=staff)
    assert r.status_code == 204, r.text
    return uc_id


def test_staff_see_the_underpinning_findings_on_pages_and_api(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    linked_uc(client, tokens, sla_in_force)
    staff = auth(tokens["manager"])
    kinds = {
        f["kind"] for f in client.get("/api/v1/portfolio/findings", headers=staff).json()["items"]
    }
    assert {"looser_target", "ends_earlier"} <= kinds
    links = client.get(f"/api/v1/agreements/{sla_in_force}/underpinning", headers=staff).json()
    assert [a["code"] for a in links["linked"]] == ["UC-9"]
    sign_in(client, "manager")
    assert "UC-9 ends on 2026-06-30" in client.get("/portfolio").text
    sla_page = client.get(f"/agreements/{sla_in_force}").text
    assert "Underpinning" in sla_page
    assert "UC-9" in sla_page


def test_a_customer_representative_sees_no_supplier_terms_or_findings(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    linked_uc(client, tokens, sla_in_force)
    rep = auth(tokens["customer_rep"])
    for path in ("/api/v1/portfolio/findings", f"/api/v1/agreements/{sla_in_force}/underpinning"):
        r = client.get(path, headers=rep)
        assert r.status_code == 403, (path, r.text)
        assert r.json()["error"]["code"] == "forbidden"
    detail = client.get(f"/api/v1/agreements/{sla_in_force}", headers=rep)
    assert detail.status_code == 200, detail.text
    health = client.get("/api/v1/portfolio/health", headers=rep)
    assert health.status_code == 200, health.text
    rows = health.json()["items"] if isinstance(health.json(), dict) else health.json()
    assert [(h["code"], h["findings"]) for h in rows] == [("SLA-1", None)]
    for body in (detail.text, health.text):
        assert not [w for w in SUPPLIER_WORDS if w in body], body
    sign_in(client, "customer_rep")
    portfolio = client.get("/portfolio")
    sla_page = client.get(f"/agreements/{sla_in_force}")
    assert portfolio.status_code == sla_page.status_code == 200
    for page in (portfolio.text, sla_page.text):
        main = page.split("<main", 1)[1]
        assert not [w for w in SUPPLIER_WORDS if w in main]
        for internal in ("Underpinning", "No linked agreements", "Service not covered", "Findings"):
            assert internal not in main, internal
