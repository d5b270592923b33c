"""Requirement pages: capture with a row error, analysis showing the gap, a change request's
status, a decision, and what-if evidence as a fragment."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import OfferedTargetData, OptionData, ServiceData
from servicelevel.services.identity.permissions import SYSTEM
from tests.integration.factories import World
from tests.integration.web.test_agreement_pages import press
from tests.integration.web.test_pages import sign_in


def published_service(session: Session) -> int:
    cal = calendars.create_calendar(
        session, actor=SYSTEM, code="always", definition={"timezone": "UTC", "hours": "24x7"}
    )
    service = catalog.create_service(
        session, actor=SYSTEM, data=ServiceData("email", "E-mail", calendar_id=cal.id)
    )
    session.flush()
    gold = OptionData("gold", "Gold", {}, (OfferedTargetData("resolution", 0.95, "P1", "4h"),))
    catalog.set_options(session, actor=SYSTEM, service_id=service.id, version=1, options=[gold])
    for version, step in ((2, "approve"), (3, "publish")):
        session.flush()
        catalog_lifecycle.change_status(
            session, actor=SYSTEM, service_id=service.id, version=version, transition=step
        )
    session.flush()
    return service.id


def form(csrf: str, customer: int, service: int, within: str, objective: str) -> dict[str, object]:
    return {
        "code": "SLR-9",
        "customer_id": str(customer),
        "service_id": str(service),
        "title": "Faster fixes",
        "requester": "Ann Lee",
        "metric": ["resolution", ""],
        "priority": ["P1", ""],
        "within": [within, ""],
        "objective": [objective, ""],
        "csrf": csrf,
    }


def test_a_requirement_is_captured_analysed_and_its_gap_shown(
    client: TestClient, session: Session, world: World
) -> None:
    service = published_service(session)
    csrf = sign_in(client, "manager")
    bad = client.post("/requirements/new", data=form(csrf, world.acme_id, service, "2h", "lots"))
    assert bad.status_code == 422
    assert "write the objective as a percentage" in bad.text
    assert 'value="Faster fixes"' in bad.text
    r = client.post(
        "/requirements/new",
        data=form(csrf, world.acme_id, service, "2h", "99"),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    rid = url.rsplit("/", 1)[1]
    page = press(client, f"/requirements/{rid}/analyse", client.get(url).text)
    assert "Exceeds the catalog" in page
    assert "asks for 2 h less time" in page
    assert "objective 4% higher" in page
    assert "no webhook configured" in page
    change = re.search(r'action="(/requirements/\d+/changes/\d+)"', page)
    assert change
    page = press(client, change.group(1), page, status="accepted", external_ref="CHG0042")
    assert "CHG0042" in page
    page = press(client, f"/requirements/{rid}/decide", page, decision="agreed")
    assert "Agreed" in page
    service_page = client.get(f"/services/{service}").text
    assert "What customers ask for" in service_page
    assert "SLR-9" in service_page
    evidence = client.get(f"/requirements/{rid}/what-if?target=0&period=2026-03")
    assert evidence.status_code == 200
    assert "no ticket decided in this period" in evidence.text
    wrong = client.get(f"/requirements/{rid}/what-if?target=0&period=someday")
    assert wrong.status_code == 422
    assert "cannot read period someday" in wrong.text


def test_representatives_read_only_their_customers_requirements(
    client: TestClient, session: Session, world: World
) -> None:
    service = published_service(session)
    csrf = sign_in(client, "admin")
    r = client.post(
        "/requirements/new",
        data=form(csrf, world.acme_id, service, "8h", "90"),
        follow_redirects=False,
    )
    url = r.headers["location"]
    client.post("/logout", data={"csrf": csrf})
    sign_in(client, "outsider")
    assert client.get(url).status_code == 404
    assert "SLR-9" not in client.get("/requirements").text
