"""Stored tickets with their event timelines, for monitoring tests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from tests.integration.factories import World

HOUR = dt.timedelta(hours=1)
Step = tuple[dt.datetime, str, str]  # at, state, event


def add_ticket(
    session: Session,
    world: World,
    number: str,
    steps: list[Step],
    priority: str = "P1",
    teams: list[str] | None = None,
) -> int:
    """A ticket of Acme's email service with the given events (first one opens it); ``teams``
    names the team each event assigns it to ("" for none), as an import stores it."""
    opened, last = steps[0][0], steps[-1]
    [tid] = monitoring_repo.add_tickets(
        session,
        [
            {
                "source": "test",
                "external_id": number,
                "service": "email",
                "customer_id": world.acme_id,
                "priority": priority,
                "category": "",
                "state": last[1],
                "title": f"Ticket {number}",
                "opened_at": opened,
                "last_event_at": last[0],
                "attributes": {"team": [t for t in teams if t][-1]} if teams and any(teams) else {},
                "version": 1,
                "created_at": opened,
                "updated_at": opened,
            }
        ],
    )
    monitoring_repo.add_events(
        session,
        [
            {
                "ticket_id": tid,
                "seq": i,
                "at": at,
                "state": state,
                "event": event,
                "changes": {"attributes": {"team": teams[i]}} if teams and teams[i] else {},
            }
            for i, (at, state, event) in enumerate(steps)
        ],
    )
    return tid


def ticket(
    session: Session,
    world: World,
    number: str,
    opened: dt.datetime,
    hours: float,
    priority: str = "P1",
) -> int:
    """A ticket opened at ``opened`` and resolved ``hours`` later."""
    steps = [(opened, "New", "created"), (opened + hours * HOUR, "Resolved", "")]
    return add_ticket(session, world, number, steps, priority)
