"""The manager's home figures: each counted like the list it links to, per agreement in one
query, and the charts' figures those of the stored records — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from servicelevel.services.agreements.reading import get_agreement
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import breaches, outages
from servicelevel.services.monitoring import queue as ticket_queue
from servicelevel.services.monitoring.queue import QueueFilter
from servicelevel.services.reporting import trends
from servicelevel.services.workspace import home as workspace
from tests.integration.factories import World
from tests.integration.queue_fixtures import NOW, queue_world


def test_the_attention_figures_are_the_totals_of_the_lists_they_link_to(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    actor = world.actors["manager"]
    figures = {f.key: f for f in workspace.attention(session, actor=actor, now=NOW)}
    for clock in ("overdue", "at_risk", "paused"):
        listed = ticket_queue.queue(session, actor=actor, filters=QueueFilter(clock=clock), now=NOW)
        assert (figures[clock].count, figures[clock].href) == (
            listed.total,
            f"/tickets?clock={clock}",
        )
        assert listed.total == 1
    still_open = breaches.list_breaches(session, actor=actor, status="open").total
    assert figures["breaches"].count == still_open


def test_counts_per_agreement_in_one_query_equal_the_queue_filtered_by_each(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    for who in ("manager", "customer_rep", "outsider"):
        actor = world.actors[who]
        many = ticket_queue.clock_counts_by_agreement(
            session, actor=actor, agreement_ids=[sla_in_force], now=NOW
        )
        if who == "outsider":
            assert many == {}  # not their agreement
            continue
        one = ticket_queue.clock_counts(
            session, actor=actor, filters=QueueFilter(agreement=sla_in_force), now=NOW
        )
        assert many[sla_in_force] == one
        assert one["overdue"] == one["at_risk"] == one["met"] == 1


def test_the_charts_read_the_months_and_weeks_of_the_stored_records(
    session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    actor = world.actors["manager"]
    found = workspace.charts(session, actor=actor, months=3, now=NOW)
    assert found.months == ["2026-10", "2026-11", "2026-12"]
    [line] = found.compliance
    agreement = get_agreement(session, actor=actor, agreement_id=sla_in_force)
    periods = trends.months_between(dt.date(2026, 10, 1), NOW.date(), "Asia/Shanghai")
    december = trends.pooled([t.months[-1] for t in trends.by_target(session, agreement, periods)])
    assert line.values[-1] == december.within
    assert (december.met, december.breached) == (1, 2)  # MET; BREACHED and OVERDUE (open)
    assert len(found.weeks) == len(found.breaches) == 13
    since = dt.datetime.combine(found.weeks[0], dt.time(), dt.UTC)
    listed = breaches.list_breaches(session, actor=actor, since=since, until=NOW, limit=500)
    assert sum(found.breaches) == sum(b.status != "withdrawn" for b in listed.items)


def test_availability_per_month_counts_the_recorded_outages_of_that_month(
    session: Session, world: World, sla_in_force: int
) -> None:
    start = dt.datetime(2026, 11, 10, 10, tzinfo=dt.UTC)
    data = outages.OutageData("email", start, start + dt.timedelta(hours=1.5))
    outages.record_outage(session, actor=SYSTEM, data=data)
    session.flush()
    found = workspace.charts(session, actor=world.actors["manager"], months=3, now=NOW)
    [line] = found.availability
    assert line.label == "SLA-1 · email-up"
    october, november, december = line.values
    assert october == december == 1.0
    assert november == pytest.approx(1 - 5400 / (30 * 86400), abs=2e-6)  # round the clock
