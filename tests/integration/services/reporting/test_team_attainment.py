"""Per-team attainment (issue 16): for a month, each team's OLAs with their compliance from the
stored measurements, the breaches of any agreement while the team held the ticket, and the
tickets handed to it; for the provider's own people only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import breaches, recompute
from servicelevel.services.reporting import teams as team_attainment
from servicelevel.services.shared.errors import Forbidden, Invalid
from tests.integration.agreement_fixtures import SLA, everyone, ola
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket
from tests.integration.services.agreements.test_agreements import draft, sign, step
from tests.integration.services.monitoring.test_team_held_targets import (
    MARCH,
    NOW,
    in_force_since_january,
)


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def sla_since_january(session: Session, actors: dict[str, Actor]) -> Agreement:
    a = draft(session, actors, SLA)
    step(session, actors, a, "admin", "propose")
    step(session, actors, a, "manager", "approve")
    sign(session, actors, a, "manager")
    sign(session, actors, a, "customer_rep")
    step(
        session, actors, a, "manager", "activate", effective=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    return a


@pytest.fixture
def march(session: Session, world: World, actors: dict[str, Actor]) -> tuple[int, int]:
    """The network team's OLA and Acme's SLA over three P1 tickets of March (4 hours each):
    one the network team held two hours between the service desk's, one breached after the
    network team handed it back to the service desk, one the network team held too long."""
    network = draft(session, actors, ola(services=["email"], held_by="network"))
    in_force_since_january(session, actors, network)
    sla = sla_since_january(session, actors)

    def hours(*marks: float) -> list[dt.datetime]:
        return [MARCH + h * HOUR for h in marks]

    working = ["New", "In Progress", "In Progress", "Resolved"]
    handed = zip(hours(0, 1, 3, 3.5), working, strict=True)
    add_ticket(
        session,
        world,
        "HANDED",
        [(at, state, "") for at, state in handed],
        teams=["service-desk", "network", "service-desk", ""],
    )
    late = zip(hours(0, 1, 2, 6), working, strict=True)
    add_ticket(
        session,
        world,
        "LATE",  # the SLA's 4 hours run out at 4 h, with the service desk
        [(at, state, "") for at, state in late],
        teams=["service-desk", "network", "service-desk", ""],
    )
    slow = zip(hours(0, 5), ["New", "Resolved"], strict=True)
    add_ticket(
        session,
        world,
        "SLOW",  # both agreements breached at 4 h, with the network team
        [(at, state, "") for at, state in slow],
        teams=["network", ""],
    )
    session.flush()
    for a in (network, sla):
        recompute.recompute(session, agreement_id=a.id, now=NOW)
    return network.id, sla.id


def test_each_team_has_its_olas_breaches_while_it_held_the_ticket_and_hand_offs(
    session: Session, actors: dict[str, Actor], march: tuple[int, int]
) -> None:
    network_ola, _ = march
    found = team_attainment.attainment(session, actor=actors["manager"], period="2026-03", now=NOW)
    assert (found.period, found.start, found.end) == (
        "2026-03",
        dt.datetime(2026, 3, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
    )
    rows = {t.team: t for t in found.teams}
    assert sorted(rows) == ["network", "service-desk"]
    network, desk = rows["network"], rows["service-desk"]
    # the OLA measured HANDED (2 h) and LATE (1 h) met, SLOW (5 h) breached
    assert [(a.agreement_id, a.code, a.met, a.breached) for a in network.agreements] == [
        (network_ola, "OLA-1", 2, 1)
    ]
    assert network.within == pytest.approx(2 / 3)
    assert (network.breaches, network.excluded, network.handed) == (2, 0, 3)  # SLOW's two
    assert desk.agreements == []
    assert desk.within is None
    assert (desk.breaches, desk.handed) == (1, 2)  # LATE's SLA breach; HANDED, LATE


def test_a_teams_breaches_are_those_the_breaches_page_attributes_to_it(
    session: Session, actors: dict[str, Actor], march: tuple[int, int]
) -> None:
    listed = breaches.list_breaches(session, actor=actors["manager"], limit=100).items
    teams = breaches.teams_at_breach(session, listed)
    by_team = {
        t: breaches.list_breaches(session, actor=actors["manager"], team=t).total
        for t in ("network", "service-desk", "nobody")
    }
    assert by_team == {
        "network": sum(1 for t in teams.values() if t == "network"),
        "service-desk": sum(1 for t in teams.values() if t == "service-desk"),
        "nobody": 0,
    }
    assert by_team == {"network": 2, "service-desk": 1, "nobody": 0}


def test_a_month_without_tickets_still_lists_the_olas_a_team_holds(
    session: Session, actors: dict[str, Actor], march: tuple[int, int]
) -> None:
    found = team_attainment.attainment(session, actor=actors["viewer"], period="2026-02", now=NOW)
    [network] = found.teams
    assert (network.team, network.breaches, network.handed, network.within) == (
        "network",
        0,
        0,
        None,
    )
    assert [a.code for a in network.agreements] == ["OLA-1"]


def test_the_month_defaults_to_the_one_holding_now_in_utc(
    session: Session, actors: dict[str, Actor]
) -> None:
    late_on_the_last = dt.datetime(2026, 3, 31, 23, 30, tzinfo=dt.UTC)  # April in Beijing
    found = team_attainment.attainment(session, actor=actors["manager"], now=late_on_the_last)
    assert found.period == "2026-03"


@pytest.mark.parametrize("period", ["2026-13", "2026-3", "March", "2026-Q1"])
def test_a_period_that_is_not_a_month_is_refused_naming_the_field(
    session: Session, actors: dict[str, Actor], period: str
) -> None:
    with pytest.raises(Invalid) as refused:
        team_attainment.attainment(session, actor=actors["manager"], period=period, now=NOW)
    assert refused.value.field == "period"


@pytest.mark.parametrize("who", ["customer_rep", "supplier_rep", "team_member"])
def test_representatives_and_team_members_may_not_read_teams(
    session: Session, actors: dict[str, Actor], who: str
) -> None:
    with pytest.raises(Forbidden):
        team_attainment.attainment(session, actor=actors[who], now=NOW)
    with pytest.raises(Forbidden):
        breaches.list_breaches(session, actor=actors[who], team="network")


def test_an_ended_ola_shows_in_the_months_it_measured_and_a_draft_never(
    session: Session, actors: dict[str, Actor], march: tuple[int, int]
) -> None:
    network_ola, _ = march
    draft(session, actors, ola(id="OLA-2", services=["email"], held_by="storage"))
    ended = agreements.get_agreement(session, actor=actors["manager"], agreement_id=network_ola)
    agreement_lifecycle.terminate(
        session,
        actor=actors["manager"],
        agreement_id=network_ola,
        version=ended.version,
        reason="the network team was merged into the service desk",
    )
    session.flush()
    manager = actors["manager"]
    march_teams = team_attainment.attainment(session, actor=manager, period="2026-03", now=NOW)
    assert [(t.team, [a.code for a in t.agreements]) for t in march_teams.teams] == [
        ("network", ["OLA-1"]),
        ("service-desk", []),
    ]
    february = team_attainment.attainment(session, actor=manager, period="2026-02", now=NOW)
    assert february.teams == []
