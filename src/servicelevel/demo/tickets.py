"""A year of demo tickets: realistic timelines for the demo customers and services.

Deterministic for a given end (fixed seed): created mostly in office hours, a first
response, 0–2 waits for the customer or a supplier, a resolution, sometimes a reopen, closure
five days later; a few cancelled; and a few tickets open right now (:data:`LIVE`). The
history ends at ``now``: a ticket the day's plan opens later than ``now`` is left out and a
ticket's events after ``now`` have not happened yet (it is still open), whatever the hour — so
the demo loads at any moment of any day.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM

SOURCE = "demo"
ZONE = dt.timezone(dt.timedelta(hours=8))
SERVICES = {"CONTOSO": ["email", "erp", "erp"], "FABRIKAM": ["email", "pos", "pos"]}
PRIORITIES = [("P1", 0.03), ("P2", 0.15), ("P3", 0.6), ("P4", 0.22)]
RESPONSE_MIN = {"P1": 12, "P2": 25, "P3": 120, "P4": 200}
RESOLVE_H = {"P1": 3, "P2": 6, "P3": 14, "P4": 30}
CATEGORIES = ["Access", "Hardware", "Software", "Network"]


def timeline(
    rng: random.Random, start: dt.datetime, prio: str
) -> list[tuple[dt.datetime, str, str]]:
    t = start
    rows = [(t, "New", "created")]
    if rng.random() < 0.02:
        return [*rows, (t + dt.timedelta(minutes=rng.randrange(5, 90)), "Cancelled", "cancelled")]
    t += dt.timedelta(minutes=rng.expovariate(1 / RESPONSE_MIN[prio]))
    rows.append((t, "In Progress", "responded"))
    for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
        t += dt.timedelta(hours=rng.expovariate(3 / RESOLVE_H[prio]))
        rows.append(
            (t, rng.choice(["Awaiting Customer", "Awaiting Customer", "Awaiting Supplier"]), "")
        )
        t += dt.timedelta(hours=rng.expovariate(1 / 10))
        rows.append((t, "In Progress", ""))
    t += dt.timedelta(hours=rng.expovariate(1 / RESOLVE_H[prio]))
    rows.append((t, "Resolved", "resolved"))
    if rng.random() < 0.04:
        t += dt.timedelta(hours=rng.uniform(2, 30))
        rows.append((t, "In Progress", "reopened"))
        t += dt.timedelta(hours=rng.expovariate(1 / 4))
        rows.append((t, "Resolved", "resolved"))
    rows.append((t + dt.timedelta(days=5), "Closed", "closed"))
    return rows


# Tickets open at the moment the demo is loaded, minutes before ``now`` (Contoso's e-mail,
# whose P1 clocks run around the clock): so the queue and the dashboards have a clock at risk,
# one overdue and one paused whatever the hour — (title, priority, [(minutes ago, state, event)]).
LIVE = [
    ("VPN down for the Shanghai office", "P1", [(8, "New", "created")]),
    (
        "Mail delivery delayed for the finance team",
        "P1",
        [(190, "New", "created"), (181, "In Progress", "responded")],
    ),
    (
        "Mailbox unavailable after the migration",
        "P1",
        [(300, "New", "created"), (290, "In Progress", "responded")],
    ),
    (
        "Shared calendar not synchronising",
        "P2",
        [(150, "New", "created"), (140, "In Progress", "responded"), (60, "Awaiting Customer", "")],
    ),
]


def live_timelines(now: dt.datetime) -> list[tuple[str, str, list[tuple[dt.datetime, str, str]]]]:
    """The :data:`LIVE` tickets' timelines as of ``now``."""
    return [
        (title, prio, [(now - dt.timedelta(minutes=m), state, event) for m, state, event in rows])
        for title, prio, rows in LIVE
    ]


def opened_at(rng: random.Random, day: dt.date) -> dt.datetime:
    hour = rng.choice([8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17, 19, 22])
    return dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)), ZONE)


def load_demo_tickets(session: Session, now: dt.datetime, days: int = 365) -> int:
    """Add ``days`` days of tickets ending at ``now`` unless demo tickets exist; returns how
    many."""
    if repo.any_from(session, SOURCE):
        return 0
    customers = {code: party_repo.party_by_code(session, code) for code in SERVICES}
    rng = random.Random(20250301)
    tickets: list[dict[str, Any]] = []
    timelines: list[list[tuple[dt.datetime, str, str]]] = []
    until = now.astimezone(ZONE).date()
    day = until - dt.timedelta(days=days - 1)
    while day <= until:
        for _ in range(rng.randrange(3, 10) if day.weekday() < 5 else rng.randrange(0, 2)):
            code = rng.choice(list(SERVICES))
            prio = rng.choices([p for p, _ in PRIORITIES], [w for _, w in PRIORITIES])[0]
            events = [e for e in timeline(rng, opened_at(rng, day), prio) if e[0] <= now]
            if not events:  # the plan opens it later today than now: not yet
                continue
            party = customers[code]
            tickets.append(
                {
                    "source": SOURCE,
                    "external_id": f"INC{len(tickets) + 1:06d}",
                    "service": rng.choice(SERVICES[code]),
                    "customer_id": party.id if party else None,
                    "priority": prio,
                    "category": rng.choice(CATEGORIES),
                    "state": events[-1][1],
                    "title": f"{rng.choice(CATEGORIES)} issue",
                    "opened_at": events[0][0],
                    "last_event_at": events[-1][0],
                    "attributes": {},
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            timelines.append(events)
        day += dt.timedelta(days=1)
    contoso = customers["CONTOSO"]
    for title, prio, events in live_timelines(now):
        tickets.append(
            {
                "source": SOURCE,
                "external_id": f"INC{len(tickets) + 1:06d}",
                "service": "email",
                "customer_id": contoso.id if contoso else None,
                "priority": prio,
                "category": "Network",
                "state": events[-1][1],
                "title": title,
                "opened_at": events[0][0],
                "last_event_at": events[-1][0],
                "attributes": {},
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
        timelines.append(events)
    ids = repo.add_tickets(session, tickets)
    repo.add_events(
        session,
        [
            {"ticket_id": tid, "seq": seq, "at": at, "state": state, "event": event, "changes": {}}
            for tid, events in zip(ids, timelines, strict=True)
            for seq, (at, state, event) in enumerate(events)
        ],
    )
    audit.record_bulk(session, SYSTEM, "import", "ticket", {"source": SOURCE, "count": len(ids)})
    return len(ids)
