"""The period's compliance figures counted by the database equal the engine's, computed from
every stored measurement of the period (issue 17), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicelevel.db.models import Breach
from servicelevel.db.repositories.monitoring import alerts as alerts_repo
from servicelevel.db.repositories.reporting import compliance_figures
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute
from servicelevel.services.reporting import compute as service_reports
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import add_ticket, ticket

HOUR = dt.timedelta(hours=1)
MARCH = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)


Bounds = tuple[dt.datetime, dt.datetime]


def engine_figures(
    session: Session, agreement_id: int, period: str, now: dt.datetime
) -> tuple[dict[str, tuple[object, ...]], Bounds]:
    """Each target's figures as the report computes them today (every row read, NumPy), and
    the period's bounds (its months begin at midnight in the agreement's zone)."""
    found = service_reports.evaluation(
        session, actor=SYSTEM, agreement_id=agreement_id, period=period, now=now
    )
    out: dict[str, tuple[object, ...]] = {}
    for r in found.result.targets:
        c = r.compliance
        out[r.target.id] = (
            c.met,
            c.breached,
            c.open,
            c.cancelled,
            c.pending,
            c.excluded,
            c.percentiles,
            c.mean_used,
        )
    p = found.result.period
    return out, (
        dt.datetime.fromtimestamp(p.start, dt.UTC),
        dt.datetime.fromtimestamp(p.end, dt.UTC),
    )


def database_figures(
    session: Session, agreement_id: int, bounds: Bounds, now: dt.datetime
) -> dict[str, tuple[object, ...]]:
    """The same figures from the aggregate query, shaped like :func:`engine_figures`."""
    found = compliance_figures.period_figures(
        session,
        agreement_id,
        *bounds,
        now=now,
        excluded=alerts_repo.excluded_tickets(session, agreement_id),
    )
    out: dict[str, tuple[object, ...]] = {}
    for key in ("P1-resolution", "P2-resolution"):
        f = found.get(key)
        if f is None:
            out[key] = (0, 0, 0, 0, 0, 0, {}, None)
            continue
        c = f.counts
        out[key] = (
            c["met"],
            c["breached"],
            c["running"] + c["paused"],
            c["cancelled"],
            c["pending"],
            f.excluded,
            f.percentiles,
            f.mean_used,
        )
    return out


def exclude(session: Session, ticket_id: int) -> None:
    session.execute(update(Breach).where(Breach.ticket_id == ticket_id).values(excluded=True))


def test_figures_with_ties_exclusions_and_late_clocks_equal_the_engines(
    session: Session, world: World, sla_in_force: int
) -> None:
    for i, hours in enumerate([1, 1, 1, 2, 2, 5, 5, 9, 3.5]):
        ticket(session, world, f"P1-{i}", MARCH + i * HOUR, hours)
    for i, hours in enumerate([4, 4, 20, 30]):
        ticket(session, world, f"P2-{i}", MARCH + i * HOUR, hours, priority="P2")
    stopped_excluded = ticket(session, world, "X-STOPPED", MARCH, 7)
    # open tickets: computed as running on 3 March, their deadline passes before the report
    open_excluded = add_ticket(session, world, "X-OPEN", [(MARCH, "New", "created")], "P1")
    add_ticket(session, world, "OPEN", [(MARCH + HOUR, "New", "created")], "P1")
    add_ticket(session, world, "LATER", [(MARCH + 200 * HOUR, "New", "created")], "P1")
    ticket(session, world, "FEB", dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC), 9)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=MARCH + 12 * HOUR)
    exclude(session, stopped_excluded)
    exclude(session, open_excluded)
    recompute.recompute(session, agreement_id=sla_in_force, now=MARCH + 400 * HOUR)
    exclude(session, stopped_excluded)
    exclude(session, open_excluded)
    session.flush()
    for now in (MARCH + 12 * HOUR, dt.datetime(2026, 4, 2, tzinfo=dt.UTC)):
        expected, bounds = engine_figures(session, sla_in_force, "2026-03", now)
        assert database_figures(session, sla_in_force, bounds, now) == expected
    assert expected["P1-resolution"][5] != 0  # an exclusion was counted


def test_an_empty_period_has_no_figures_as_the_engine_has_none(
    session: Session, world: World, sla_in_force: int
) -> None:
    ticket(session, world, "MARCH", MARCH, 9)
    session.flush()
    now = dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    recompute.recompute(session, agreement_id=sla_in_force, now=now)
    expected, bounds = engine_figures(session, sla_in_force, "2026-05", now)
    assert expected["P1-resolution"][:6] == (0, 0, 0, 0, 0, 0)
    assert database_figures(session, sla_in_force, bounds, now) == expected


def test_a_generated_month_of_tickets_gives_the_engines_figures(
    session: Session, world: World, sla_in_force: int
) -> None:
    draw = random.Random(17)
    first = dt.datetime(2026, 2, 20, tzinfo=dt.UTC)
    for i in range(300):
        opened = first + dt.timedelta(minutes=draw.randrange(0, 45 * 24 * 60))
        priority = draw.choice(("P1", "P2", "P3"))
        if draw.random() < 0.15:
            add_ticket(session, world, f"G{i}", [(opened, "New", "created")], priority)
        else:
            # whole quarter hours make ties in the time used
            ticket(session, world, f"G{i}", opened, draw.randrange(1, 60) / 4, priority=priority)
    session.flush()
    computed = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    recompute.recompute(session, agreement_id=sla_in_force, now=computed)
    breached = select(Breach.ticket_id).where(Breach.agreement_id == sla_in_force)
    for tid in sorted({t for t in session.scalars(breached) if t is not None})[::4]:
        exclude(session, tid)
    session.flush()
    now = dt.datetime(2026, 4, 3, tzinfo=dt.UTC)
    expected, bounds = engine_figures(session, sla_in_force, "2026-03", now)
    assert database_figures(session, sla_in_force, bounds, now) == expected
    assert sum(int(str(v[0])) + int(str(v[1])) for v in expected.values()) > 60
