"""An OLA held by a team, stored and recomputed: its clocks count only while the team held each
stored ticket (the team each event names, as imports store it), it measures only the tickets
the team held, and the target keeps its team through export and re-import. A target's
condition may name any attribute the source gives a ticket (its team, say), not only the
built-in priority, category and service."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import explain, recompute
from tests.integration.agreement_fixtures import everyone, ola
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket
from tests.integration.services.agreements.test_agreements import draft, sign, step
from tests.integration.services.monitoring.test_recompute import measurements

MARCH = dt.datetime(2026, 3, 3, 1, tzinfo=dt.UTC)  # 09:00 in Beijing, a Tuesday
NOW = MARCH + 24 * HOUR


def in_force_since_january(session: Session, actors: dict[str, Actor], a: Agreement) -> None:
    step(session, actors, a, "admin", "propose")
    step(session, actors, a, "manager", "approve")
    sign(session, actors, a, "manager")
    sign(session, actors, a, "team_member")
    step(
        session, actors, a, "manager", "activate", effective=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def test_a_stored_ola_counts_the_hours_its_team_held_each_ticket(
    session: Session, world: World, actors: dict[str, Actor]
) -> None:
    doc = ola(services=["email"], held_by="network")
    a = draft(session, actors, doc)
    in_force_since_january(session, actors, a)
    steps = [
        (MARCH, "New", "created"),
        (MARCH + HOUR, "In Progress", ""),
        (MARCH + 3 * HOUR, "In Progress", ""),
        (MARCH + 4 * HOUR, "Resolved", "resolved"),
    ]
    handed = add_ticket(
        session, world, "HANDED", steps, teams=["service-desk", "network", "service-desk", ""]
    )
    elsewhere = add_ticket(session, world, "ELSEWHERE", steps, teams=["service-desk"] * 4)
    session.flush()
    recompute.recompute(session, agreement_id=a.id, now=NOW)
    found = measurements(session, [handed, elsewhere])
    assert [(m.ticket_id, m.target_key, m.used_seconds, m.status) for m in found] == [
        (handed, "P1-resolution", 2 * 3600, "met")  # two hours with the network team
    ]
    (why,) = explain.explain_ticket(session, actor=actors["manager"], ticket_id=handed, now=NOW)
    causes = [(s.mode, s.cause) for s in why.steps if s.state]
    assert causes == [
        ("paused", "paused: counted only while network holds the ticket"),  # service desk's
        ("running", "running"),
        ("paused", "paused: counted only while network holds the ticket"),
        ("stopped", "stop state Resolved"),
    ]


def test_a_target_keeps_its_team_through_export(session: Session, actors: dict[str, Actor]) -> None:
    a = draft(session, actors, ola(held_by="network"))
    exported = agreements.export_document(session, actor=actors["viewer"], agreement_id=a.id)
    assert [t.get("held_by") for t in exported["targets"]] == ["network", "network"]


def test_a_target_selects_stored_tickets_by_an_attribute_of_their_source(
    session: Session, world: World, actors: dict[str, Actor]
) -> None:
    network_p1 = {
        "id": "network-P1",
        "clock": "resolution",
        "when": {"team": "network", "priority": "P1"},
        "within": "4h",
        "calendar": "always",
        "objective": "95%",
    }
    a = draft(session, actors, ola(services=["email"], targets=[network_p1]))
    in_force_since_january(session, actors, a)
    steps = [(MARCH, "New", "created"), (MARCH + 2 * HOUR, "Resolved", "resolved")]
    ours = add_ticket(session, world, "OURS", steps, teams=["service-desk", "network"])
    theirs = add_ticket(session, world, "THEIRS", steps, teams=["network", "service-desk"])
    session.flush()
    recompute.recompute(session, agreement_id=a.id, now=NOW)
    found = measurements(session, [ours, theirs])
    assert [(m.ticket_id, m.target_key) for m in found] == [(ours, "network-P1")]  # its latest
