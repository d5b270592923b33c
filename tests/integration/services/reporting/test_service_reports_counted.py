"""A service report's figures counted by the database in one statement (issue 17) equal the
figures the engine computes from every stored measurement of the period, and one render costs
the same number of statements whatever the number of tickets."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicelevel.db.models import Breach, Outage, Ticket
from servicelevel.db.repositories.reporting.period_report import period_report
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute, stored_measurements
from servicelevel.services.reporting import compute as service_reports
from servicelevel.services.reporting import page as report_page
from servicelevel.services.reporting import rendering as report_rendering
from tests.integration.api.test_query_counts import counting
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import add_ticket, ticket

NOW = dt.datetime(2026, 4, 3, tzinfo=dt.UTC)  # the month's open clocks are overdue by then


def generated_month(session: Session, world: World, agreement_id: int, count: int) -> None:
    """``count`` tickets from 20 February to early April, some left open (stored as running,
    overdue by ``NOW``), resolved after whole quarter hours (ties in the time used), P1 to P3
    in three categories, an outage; every fourth breached ticket's breach excluded."""
    draw = random.Random(17)
    first = dt.datetime(2026, 2, 20, tzinfo=dt.UTC)
    for i in range(count):
        opened = first + dt.timedelta(minutes=draw.randrange(0, 45 * 24 * 60))
        priority = draw.choice(("P1", "P2", "P3"))
        if draw.random() < 0.15:
            add_ticket(session, world, f"G{i}", [(opened, "New", "created")], priority)
        else:
            ticket(session, world, f"G{i}", opened, draw.randrange(1, 60) / 4, priority=priority)
    for i, category in enumerate(("hardware", "software", "")):
        session.execute(
            update(Ticket)
            .where(Ticket.source == "test", Ticket.id % 3 == i)
            .values(category=category)
        )
    starts = dt.datetime(2026, 3, 9, 1, tzinfo=dt.UTC)
    session.add(Outage(service="email", starts_at=starts, ends_at=starts + dt.timedelta(hours=2)))
    session.flush()
    computed = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)
    recompute.recompute(session, agreement_id=agreement_id, now=computed)
    breached = select(Breach.ticket_id).where(Breach.agreement_id == agreement_id)
    for tid in sorted({t for t in session.scalars(breached) if t is not None})[::4]:
        session.execute(update(Breach).where(Breach.ticket_id == tid).values(excluded=True))
    session.flush()


def engines(session: Session, agreement_id: int) -> Any:
    """The figures model as the report made it before: every stored measurement of the month
    read, the engine's figures, every breach a row."""
    found = service_reports.evaluation(
        session, actor=SYSTEM, agreement_id=agreement_id, period="2026-03", now=NOW
    )
    return service_reports.figures_of(found)


def counted(session: Session, agreement_id: int, listed: int | None) -> Any:
    return service_reports.report_model(
        session, actor=SYSTEM, agreement_id=agreement_id, period="2026-03", now=NOW, listed=listed
    ).figures


def test_the_figures_counted_by_the_database_equal_the_engines_on_a_generated_month(
    session: Session, world: World, sla_in_force: int
) -> None:
    generated_month(session, world, sla_in_force, 300)
    assert stored_measurements.usable(session, sla_in_force)
    before = engines(session, sla_in_force)
    whole = before.as_dict()
    assert counted(session, sla_in_force, None).as_dict() == whole
    # the page's model: the first breaches and every excluded one, the counts of all
    page = counted(session, sla_in_force, report_page.LISTED)
    listed = report_page.LISTED
    assert page.as_dict(first=listed) == before.as_dict(first=listed)
    # the excluded breaches after the first ten are read with them, the others are not until
    # a rendering asks for every breach
    few = counted(session, sla_in_force, 10)
    assert few.as_dict(first=10) == before.as_dict(first=10)
    assert any(b["excluded"] for b in whole["breaches"][10:])
    assert len(few.breach_table) < len(before.breach_table)
    assert few.as_dict() == whole
    # what the month holds, so that the comparison compares something
    counts = whole["breach_counts"]
    assert counts["excluded"] > 5
    assert counts["counted"] > 20
    assert len(counts["by_priority"]) == 2  # P3 has no target
    assert len(counts["by_category"]) == 3
    assert any(b["stopped_at"] is None for b in whole["breaches"])  # overdue open clocks
    assert sum(t["met"] + t["breached"] for t in whole["targets"]) > 60
    assert whole["availability"][0]["downtime_seconds"] == 7200
    assert whole["credits"] is not None
    [credit] = whole["credits"]["lines"]
    assert credit["tier_below_pct"] is not None  # the outage put availability below 99.9 %


def test_a_month_without_measurements_counts_nothing_as_the_engine_does(
    session: Session, world: World, sla_in_force: int
) -> None:
    ticket(session, world, "JAN", dt.datetime(2026, 1, 12, 9, tzinfo=dt.UTC), 9)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=NOW)
    before = engines(session, sla_in_force)
    assert before.as_dict()["agreement"]["tickets"] == 0
    assert counted(session, sla_in_force, report_page.LISTED).as_dict() == before.as_dict()


def test_one_render_costs_the_same_few_statements_for_thirty_tickets_as_for_ninety(
    session: Session, world: World, sla_in_force: int
) -> None:
    """The statements of one page render do not grow with the tickets (the figures, the
    breaches and their tickets are one statement; SQLite ranks the percentiles in a second)."""

    def render() -> list[str]:
        with counting(session) as statements:
            report_rendering.render_report(
                session, actor=SYSTEM, agreement_id=sla_in_force, period="2026-03", now=NOW
            )
        return statements

    generated_month(session, world, sla_in_force, 30)
    few = render()
    more = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    for i in range(60):
        ticket(session, world, f"M{i}", more + i * dt.timedelta(hours=9), 1 + i % 9)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=NOW)
    many = render()
    assert len(many) == len(few)
    assert len(few) <= 40
    # the period's rows with their breaches' tickets in one statement; besides, whether there
    # are measurements, the trend's earlier months (and on SQLite the percentiles' ranks)
    assert sum("period_rows" in s and "JOIN ticket" in s for s in few) == 1
    assert len([s for s in few if "FROM measurement" in s]) <= 4


def test_an_agreement_without_ticket_targets_counts_its_tickets_and_no_figures(
    session: Session, world: World, sla_in_force: int
) -> None:
    """The statement is valid without a ticket target to count (an agreement of availability
    only): no figures, no breaches, the tickets its rows measure still counted."""
    generated_month(session, world, sla_in_force, 30)
    found = period_report(
        session,
        sla_in_force,
        dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC),
        now=NOW,
        excluded={},
        targets=[],
        listed=report_page.LISTED,
    )
    assert (found.figures, found.groups, found.breaches) == ({}, [], [])
    assert found.tickets > 10
