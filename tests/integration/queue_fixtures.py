"""A queue of tickets whose headline clocks cover every status, around the scenario's now
(3 December 2026, 10:00 UTC), measured by the ACME SLA (P1: 4 h round the clock; P2: 8 h of
business time) — and one ticket of another customer."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.db.models import Ticket
from servicelevel.services.monitoring import recompute
from tests.integration.conftest import SCENARIO_NOW
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket, ticket

NOW = SCENARIO_NOW
EXPECTED = {  # number → headline clock status
    "OVERDUE": "overdue",  # P1 opened 5 h ago: due an hour ago, still open
    "AT-RISK": "at_risk",  # P1 opened 2 h ago: due in 2 h
    "RUNNING": "running",  # P2 opened an hour ago: 8 working hours are at least 8 real ones
    "PAUSED": "paused",  # P1 waiting for the customer
    "MET": "met",  # P1 resolved within the hour, two days ago
    "BREACHED": "breached",  # P1 resolved after 6 h, two days ago
}


def queue_world(session: Session, world: World, agreement_id: int) -> dict[str, int]:
    """The tickets above, a P4 ticket no target measures, and a P1 ticket of GLOBEX (which
    the ACME SLA does not measure); recomputed at :data:`NOW`. Their ids by number."""
    ids = {
        "OVERDUE": add_ticket(session, world, "OVERDUE", [(NOW - 5 * HOUR, "New", "created")]),
        "AT-RISK": add_ticket(session, world, "AT-RISK", [(NOW - 2 * HOUR, "New", "created")]),
        "RUNNING": add_ticket(
            session, world, "RUNNING", [(NOW - HOUR, "New", "created")], priority="P2"
        ),
        "PAUSED": add_ticket(
            session,
            world,
            "PAUSED",
            [(NOW - 3 * HOUR, "New", "created"), (NOW - 2 * HOUR, "Awaiting Customer", "")],
        ),
        "MET": ticket(session, world, "MET", NOW - 48 * HOUR, 1),
        "BREACHED": ticket(session, world, "BREACHED", NOW - 49 * HOUR, 6),
        "UNMEASURED": add_ticket(
            session, world, "UNMEASURED", [(NOW - HOUR, "New", "created")], priority="P4"
        ),
        "GLOBEX": add_ticket(session, world, "GLOBEX", [(NOW - 5 * HOUR, "New", "created")]),
    }
    globex = session.get(Ticket, ids["GLOBEX"])
    assert globex is not None
    globex.customer_id = world.globex_id
    session.flush()
    recompute.recompute(session, agreement_id=agreement_id, now=NOW)
    session.flush()
    return ids
