"""The open tickets of an agreement, most urgent first: a ticket still open whose clock has
breached stays listed (first), flagged overdue with how long ago its deadline passed — in the
service, the API and the agreement page."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.monitoring import live, recompute
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket, ticket
from tests.integration.web.test_pages import sign_in

MORNING = dt.datetime(2026, 3, 3, 8, tzinfo=dt.UTC)
NOW = MORNING + 5 * HOUR  # 13:00


def three_tickets(session: Session, world: World, agreement_id: int) -> None:
    add_ticket(session, world, "LATE-OPEN", [(MORNING, "New", "created")])  # P1: due 12:00
    add_ticket(session, world, "ON-TIME", [(MORNING + 4 * HOUR, "New", "created")])  # due 16:00
    ticket(session, world, "LATE-SOLVED", MORNING - 2 * HOUR, 5)  # breached, then resolved
    session.flush()
    recompute.recompute(session, agreement_id=agreement_id, now=NOW)
    session.flush()


def test_a_breached_clock_of_an_open_ticket_stays_listed_first_and_overdue(
    session: Session, world: World, sla_in_force: int
) -> None:
    three_tickets(session, world, sla_in_force)
    found = live.open_clocks(
        session, actor=world.actors["customer_rep"], agreement_id=sla_in_force, now=NOW
    )
    assert [(c.ticket, c.status, c.overdue, c.overdue_seconds) for c in found] == [
        ("LATE-OPEN", "breached", True, 3600),  # due at 12:00, an hour ago
        ("ON-TIME", "running", False, 0),
    ]
    assert found[0].left_seconds == 0
    assert found[1].left_seconds == 3 * 3600


def test_the_api_and_the_agreement_page_list_the_overdue_ticket(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    three_tickets(session, world, sla_in_force)
    r = client.get(
        f"/api/v1/agreements/{sla_in_force}/open-tickets", headers=auth(tokens["customer_rep"])
    )
    assert r.status_code == 200, r.text
    body = r.json()
    listed = body["items"] if isinstance(body, dict) else body
    assert [(c["ticket"], c["status"], c["overdue"]) for c in listed] == [
        ("LATE-OPEN", "breached", True),
        ("ON-TIME", "running", True),  # the real clock is long past 16:00 on 3 March 2026
    ]
    assert listed[0]["overdue_seconds"] > 3600
    sign_in(client, "customer_rep")
    page = client.get(f"/agreements/{sla_in_force}").text
    table = page.split("Open tickets, most urgent first", 1)[1].split("</table>", 1)[0]
    assert table.index("LATE-OPEN") < table.index("ON-TIME")
    assert "LATE-SOLVED" not in table
    assert table.count('class="overdue"') == 2
    assert "Overdue by" in table
