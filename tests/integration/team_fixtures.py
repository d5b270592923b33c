"""Two teams' March for the API and page tests: the network team's OLA in force beside Acme's SLA
(the ``sla_in_force`` fixture), and three P1 tickets of the email service handed between the
service desk and the network team, recomputed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.db.repositories import identity as identity_repo
from servicelevel.services.identity import accounts as identity
from servicelevel.services.monitoring import recompute
from tests.integration.agreement_fixtures import ola
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket
from tests.integration.services.agreements.test_agreements import draft
from tests.integration.services.monitoring.test_team_held_targets import (
    MARCH,
    NOW,
    in_force_since_january,
)


def march_of_two_teams(session: Session, world: World, sla_id: int) -> int:
    """The network OLA's id, after recomputing it and the SLA at ``NOW``: HANDED held two
    hours by the network team (met), LATE breached with the service desk after the network
    team handed it back, SLOW breached (both agreements) with the network team."""
    member = identity_repo.user_by_name(session, "team_member")
    assert member is not None  # made with the SLA's parties
    actors = {**world.actors, "team_member": identity.actor_for(session, member)}
    network = draft(session, actors, ola(services=["email"], held_by="network"))
    in_force_since_january(session, actors, network)
    working = ["New", "In Progress", "In Progress", "Resolved"]
    tickets: dict[str, tuple[list[float], list[str], list[str]]] = {
        "HANDED": ([0, 1, 3, 3.5], working, ["service-desk", "network", "service-desk", ""]),
        "LATE": ([0, 1, 2, 6], working, ["service-desk", "network", "service-desk", ""]),
        "SLOW": ([0, 5], ["New", "Resolved"], ["network", ""]),
    }
    for number, (hours, states, teams) in tickets.items():
        steps = [(MARCH + h * HOUR, s, "") for h, s in zip(hours, states, strict=True)]
        add_ticket(session, world, number, steps, teams=teams)
    session.flush()
    for agreement_id in (network.id, sla_id):
        recompute.recompute(session, agreement_id=agreement_id, now=NOW)
    session.flush()
    return network.id


MONTH = f"{MARCH:%Y-%m}"
