"""Connections of kind servicenow and jira pulled into servicelevel
(services/intake/pulls.py), against the loopback servers that follow ServiceNow's and
Atlassian's published API documents (tests/connectors/servicenow_server.py, jira_server.py), seeded
with the first 52 incidents of the real ServiceNow log: the incidents appear as tickets of their
customer with their events, a second pull stores nothing, a change in the source is stored alone, a
refused login is a failed run with the source's reason and nothing stored."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import Connection, Ticket, TicketEvent
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import ServiceData
from servicelevel.services.identity.permissions import SYSTEM, Actor
from servicelevel.services.intake import connections, pulls
from servicelevel.services.intake.connections import ConnectionData
from tests.connectors import jira_server, servicenow_server
from tests.connectors.servicenow_server import SERVICENOW_LOG, log_head
from tests.integration.conftest import SCENARIO_NOW
from tests.integration.factories import World

ROWS = 328  # 52 whole incidents
SECRET_ENV = "CONNECTOR_TEST_CLOUD_SECRET"
pytestmark = pytest.mark.skipif(not SERVICENOW_LOG.exists(), reason="the shared data is not here")


@pytest.fixture
def support(session: Session, world: World) -> None:
    """The service the shipped servicenow and jira mappings give tickets that name none."""
    catalog.create_service(session, actor=SYSTEM, data=ServiceData("it-support", "IT support"))
    session.flush()


@pytest.fixture
def instance() -> Iterator[tuple[str, servicenow_server.Store]]:
    store = servicenow_server.store_from_log(log_head(ROWS))
    acme = store.add_company("ACME")  # every incident is ACME's: the customer's party code
    for incident in store.tables["incident"]:
        incident["company"] = acme
    with servicenow_server.serving(store) as url:
        yield url, store


@pytest.fixture
def site() -> Iterator[tuple[str, jira_server.Store]]:
    store = jira_server.store_from_log(log_head(ROWS))
    for issue in store.issues:  # every issue is ACME's organization's
        issue["fields"][jira_server.ORGANIZATIONS] = [{"id": "1", "name": "ACME"}]
    with jira_server.serving(store) as url:
        yield url, store


def connect(
    session: Session, actor: Actor, kind: str, url: str, username: str, **settings: Any
) -> Connection:
    data = ConnectionData(
        name=f"{kind}-test",
        kind=kind,
        base_url=url,
        mapping=kind,
        settings={
            "page_size": 10,
            "auth": {"kind": "basic", "username": username, "secret_env": SECRET_ENV},
            **settings,
        },
    )
    made = connections.create_connection(session, actor=actor, data=data)
    session.flush()
    return made


def timeline(session: Session, source: str, number: str) -> list[tuple[dt.datetime, str]]:
    ticket = session.scalars(
        select(Ticket).where(Ticket.source == source, Ticket.external_id == number)
    ).one()
    query = select(TicketEvent.at, TicketEvent.state).where(TicketEvent.ticket_id == ticket.id)
    return [
        (at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at, state)
        for at, state in session.execute(query.order_by(TicketEvent.seq))
    ]


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def test_incidents_pulled_from_servicenow_are_tickets_of_their_customer_stored_once(
    session: Session,
    world: World,
    support: None,
    instance: tuple[str, servicenow_server.Store],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, store = instance
    monkeypatch.setenv(SECRET_ENV, servicenow_server.PASSWORD)
    manager = world.actors["manager"]
    made = connect(session, manager, "servicenow", url, servicenow_server.USER)
    run = pulls.run_connection(session, actor=manager, connection_id=made.id, now=SCENARIO_NOW)
    assert (run.outcome, run.error) == ("ok", "")
    assert run.pages >= 6  # 10 incidents a page
    tickets = session.scalars(select(Ticket).where(Ticket.source == "servicenow")).all()
    assert len(tickets) == 52
    assert {(t.customer_id, t.service, t.state) for t in tickets} == {
        (world.acme_id, "it-support", "Closed")
    }
    assert timeline(session, "servicenow", "INC0000047") == [
        (at("2016-02-29 04:40"), "New"),  # opened_at: the clock may start here
        (at("2016-02-29 04:57"), "New"),
        (at("2016-02-29 05:30"), "Active"),
        (at("2016-03-01 09:14"), "Awaiting User Info"),
        (at("2016-03-01 09:52"), "Resolved"),
        (at("2016-03-06 10:00"), "Closed"),
    ]

    again = pulls.run_connection(session, actor=manager, connection_id=made.id, now=SCENARIO_NOW)
    assert (again.outcome, again.stored) == ("ok", 0)

    store.update("INC0000047", at("2026-12-02 08:15"), incident_state="2", state="2")
    moved = pulls.run_connection(session, actor=manager, connection_id=made.id, now=SCENARIO_NOW)
    assert (moved.outcome, moved.stored) == ("ok", 1)
    assert timeline(session, "servicenow", "INC0000047")[-1] == (at("2026-12-02 08:15"), "Active")
    assert made.cursor is not None
    assert made.cursor.startswith("2026-12-02 08:15:00|")


def test_issues_pulled_from_jira_are_tickets_of_their_organization_stored_once(
    session: Session,
    world: World,
    support: None,
    site: tuple[str, jira_server.Store],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, store = site
    monkeypatch.setenv(SECRET_ENV, jira_server.API_TOKEN)
    manager = world.actors["manager"]
    # each pull reads the last ten minutes before its cursor again: stored once
    made = connect(session, manager, "jira", url, jira_server.EMAIL, reread_minutes=10)
    run = pulls.run_connection(session, actor=manager, connection_id=made.id, now=SCENARIO_NOW)
    assert (run.outcome, run.error, run.pages) == ("ok", "", 6)
    tickets = session.scalars(select(Ticket).where(Ticket.source == "jira")).all()
    assert len(tickets) == 52
    assert {(t.customer_id, t.service, t.state) for t in tickets} == {
        (world.acme_id, "it-support", "Closed")
    }
    assert timeline(session, "jira", "INC-47") == [
        (at("2016-02-29 04:57"), "New"),
        (at("2016-02-29 05:30"), "Active"),
        (at("2016-03-01 09:14"), "Awaiting User Info"),
        (at("2016-03-01 09:52"), "Resolved"),
        (at("2016-03-06 10:00"), "Closed"),
    ]
    again = pulls.run_connection(session, actor=manager, connection_id=made.id, now=SCENARIO_NOW)
    assert (again.outcome, again.stored) == ("ok", 0)
    assert again.records > 0  # the last ten minutes, read again

    store.change("INC-47", at("2026-12-02 08:15"), status="Active")
    moved = pulls.run_connection(session, actor=manager, connection_id=made.id, now=SCENARIO_NOW)
    assert (moved.outcome, moved.stored) == ("ok", 1)
    assert timeline(session, "jira", "INC-47")[-1] == (at("2026-12-02 08:15"), "Active")


@pytest.mark.parametrize("kind", ["servicenow", "jira"])
def test_a_refused_login_is_a_failed_run_with_the_sources_reason_and_nothing_stored(
    session: Session,
    world: World,
    support: None,
    instance: tuple[str, servicenow_server.Store],
    site: tuple[str, jira_server.Store],
    monkeypatch: pytest.MonkeyPatch,
    kind: str,
) -> None:
    monkeypatch.setenv(SECRET_ENV, "not-the-secret")
    url = instance[0] if kind == "servicenow" else site[0]
    admin = world.actors["admin"]
    made = connect(session, admin, kind, url, "someone@example.com")
    run = pulls.run_connection(session, actor=admin, connection_id=made.id, now=SCENARIO_NOW)
    assert (run.outcome, run.pages, run.stored) == ("failed", 0, 0)
    assert "HTTP 401" in run.error
    reason = "User Not Authenticated" if kind == "servicenow" else "You are not authenticated"
    assert reason in run.error
    assert "not-the-secret" not in run.error
    assert (made.state, made.cursor) == ("failed", None)
    assert session.scalars(select(Ticket).where(Ticket.source == kind)).all() == []
