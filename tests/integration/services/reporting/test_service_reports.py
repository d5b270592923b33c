"""A service report's breaches found in one vectorised pass, checked against the plain
reference (a tuple per breach, sorted by when and target) that the report used before."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
from sqlalchemy.orm import Session

from servicelevel.engine.clocks import Status
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute, stored_measurements
from servicelevel.services.reporting import compute as service_reports
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket


def reference(found: service_reports.Evaluation) -> list[tuple[int, str, str]]:
    """``(breached at, target, ticket number)`` of the period's breaches, earliest first, ties
    by target id and then in the order of the target's measurements (a stable sort)."""
    hits = []
    for r in found.result.targets:
        m = r.measurements
        for k in np.flatnonzero(r.in_period & (m.status == Status.BREACHED)).tolist():
            number = str(found.tickets.ids[int(r.tickets[k])])
            hits.append((int(m.breached_at[k]), r.target.id, number))
    return sorted(hits, key=lambda h: (h[0], h[1]))


def test_the_period_breaches_are_listed_and_counted_as_the_plain_sort_lists_them(
    session: Session, world: World, sla_in_force: int
) -> None:
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    ticket(session, world, "B", march, 5)  # P1 within 4 h: breached at 14:00
    ticket(session, world, "A", march, 6)  # the same instant
    ticket(session, world, "EARLY", march - dt.timedelta(hours=2), 5)
    ticket(session, world, "MET", march, 1)
    ticket(session, world, "SLOW", march, 40, priority="P2")
    ticket(session, world, "FEB", dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC), 9)
    session.flush()
    recompute.recompute(
        session, agreement_id=sla_in_force, now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    )
    assert stored_measurements.usable(session, sla_in_force)
    found = service_reports.evaluation(
        session,
        actor=SYSTEM,
        agreement_id=sla_in_force,
        period="2026-03",
        now=dt.datetime(2026, 4, 2, tzinfo=dt.UTC),
    )
    b = found.breaches
    listed = [
        (
            int(b.at[i]),
            found.result.targets[int(b.target[i])].target.id,
            str(found.tickets.ids[int(b.ticket[i])]),
        )
        for i in range(len(b))
    ]
    expected = reference(found)
    assert listed == expected
    # A and B breached at the same instant: B, stored first, comes first
    assert [h[2] for h in expected][:3] == ["EARLY", "B", "A"]
    assert {h[2] for h in expected} == {"EARLY", "A", "B", "SLOW"}
    priority = found.tickets.attributes["priority"]
    numbers = list(map(str, found.tickets.ids))
    by_priority = Counter(priority.label(numbers.index(h[2])) for h in expected)
    figs = service_reports.figures_of(found).as_dict()
    counts = figs["breach_counts"]
    assert [(r["priority"], r["count"]) for r in counts["by_priority"]] == sorted(
        by_priority.items(), key=lambda kv: (-kv[1], kv[0])
    )
    assert counts["by_category"] == [{"category": "", "count": 4}]
    assert (counts["counted"], counts["excluded"]) == (4, 0)
    assert [(b["ticket"], b["target"]) for b in figs["breaches"]] == [
        (h[2], h[1]) for h in expected
    ]
