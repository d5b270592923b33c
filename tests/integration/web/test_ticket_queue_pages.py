"""The ticket queue page: paging with the total, sorting and filters in the address, the
at-risk view refreshing its rows alone, a representative seeing only their customer's
tickets, and what the queue does not offer answered with a message, not an error page."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from tests.integration.factories import World
from tests.integration.queue_fixtures import queue_world
from tests.integration.web.test_pages import sign_in


def numbers(html: str) -> list[str]:
    return re.findall(r'<a href="/tickets/\d+">([A-Z0-9-]+)</a>', html)


def test_the_queue_pages_sorts_and_filters_through_its_address(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    sign_in(client, "manager")
    page = client.get("/tickets?lang=en")
    assert page.status_code == 200
    assert numbers(page.text)[:3] == ["OVERDUE", "AT-RISK", "RUNNING"]
    assert "Tickets found: 8 · page 1 of 1" in page.text
    assert 'hx-trigger="every 30s"' not in page.text  # only the at-risk view refreshes itself
    at_risk = client.get(f"/tickets?clock=at_risk&agreement={sla_in_force}&customer=ACME")
    assert numbers(at_risk.text) == ["AT-RISK"]
    assert re.search(r'<tbody id="ticket-rows" hx-get="/tickets\?[^"]*clock=at_risk', at_risk.text)
    assert 'hx-trigger="every 30s"' in at_risk.text
    rows = client.get(
        "/tickets?clock=at_risk", headers={"HX-Request": "true", "HX-Target": "ticket-rows"}
    )
    assert rows.text.lstrip().startswith("<tr")
    assert numbers(rows.text) == ["AT-RISK"]
    newest = client.get("/tickets?sort=-opened")
    assert numbers(newest.text)[-2:] == ["MET", "BREACHED"]
    assert 'aria-sort="descending"' in newest.text


def test_previous_and_next_walk_the_pages(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    opened = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    row = {
        "source": "test",
        "service": "email",
        "customer_id": world.acme_id,
        "priority": "P4",
        "category": "",
        "state": "New",
        "title": "",
        "opened_at": opened,
        "last_event_at": opened,
        "attributes": {},
        "version": 1,
        "created_at": opened,
        "updated_at": opened,
    }
    monitoring_repo.add_tickets(
        session, [row | {"external_id": f"BULK-{n:02d}"} for n in range(60)]
    )
    session.flush()
    sign_in(client, "manager")
    first = client.get("/tickets")
    assert len(numbers(first.text)) == 50
    assert 'rel="next"' in first.text
    assert 'rel="prev"' not in first.text
    following = re.search(r'href="([^"]+)" rel="next"', first.text)
    assert following is not None
    second = client.get(following[1].replace("&amp;", "&"))
    assert len(numbers(second.text)) == 18
    assert 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


def test_a_representative_sees_only_their_customers_tickets(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    sign_in(client, "outsider")
    page = client.get("/tickets")
    assert numbers(page.text) == ["GLOBEX"]
    assert "ACME" not in page.text
    assert "Acme" not in page.text
    refused = client.get("/tickets?customer=ACME")
    assert refused.status_code == 422
    assert "OVERDUE" not in refused.text


def test_a_sort_or_page_the_queue_does_not_offer_is_a_message_on_the_page(
    client: TestClient, world: World
) -> None:
    sign_in(client, "manager")
    for query in ("sort=colour", "page=0", "page=x", "clock=late", "agreement=x"):
        r = client.get(f"/tickets?{query}")
        assert r.status_code == 422, query
        assert 'class="error" role="alert"' in r.text
