"""The clock explains itself: the state or event that paused or stopped it, the field changes,
the calendar closures during which it did not count, and the agreement version it runs under."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import explain, recompute
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import add_ticket

UTC = dt.UTC


def test_a_p2_clock_names_the_evening_closure_and_its_version(
    session: Session, world: World, sla_in_force: int
) -> None:
    # P2: 8 working hours on "bj" (Mon–Fri 09:00–18:00 Asia/Shanghai = 01:00–10:00 UTC)
    opened = dt.datetime(2026, 3, 3, 9, tzinfo=UTC)  # Tuesday 17:00 in Beijing
    tid = add_ticket(
        session,
        world,
        "P2-1",
        [
            (opened, "New", "created"),
            (dt.datetime(2026, 3, 4, 1, 30, tzinfo=UTC), "Awaiting Customer", ""),
            (dt.datetime(2026, 3, 4, 2, tzinfo=UTC), "Resolved", ""),
        ],
        priority="P2",
    )
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=opened + dt.timedelta(days=2))
    [shown] = explain.explain_ticket(
        session, actor=SYSTEM, ticket_id=tid, now=opened + dt.timedelta(days=2)
    )
    assert (shown.agreement, shown.version, shown.target) == ("SLA-1", 1, "P2-resolution")
    assert [(s.at.strftime("%d %H:%M"), s.mode, s.cause) for s in shown.steps] == [
        (
            "03 09:00",
            "version",
            "measured under version 1 of SLA-1, in force when the ticket started",
        ),
        ("03 09:00", "running", "running"),
        ("03 10:00", "closed", "not counted: business is closed"),
        ("04 01:00", "running", "counting again: business opens"),
        ("04 01:30", "paused", "pause state Awaiting Customer"),
        ("04 02:00", "stopped", "stop state Resolved"),
    ]
