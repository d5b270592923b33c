"""The portfolio dashboard reads its figures for all agreements at once, and an agreement the
session holds is not read again — on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import datetime as dt

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories.monitoring import alerts as alert_repo
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.services.agreements import authoring
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute
from servicelevel.services.monitoring.queue import AT_RISK
from servicelevel.services.workspace import portfolio as dashboard
from tests.integration.agreement_fixtures import SLA
from tests.integration.api.test_query_counts import counting
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket

MARCH = dt.datetime(2026, 3, 20, tzinfo=dt.UTC)


def more_in_force(session: Session, world: World, how_many: int) -> None:
    """Further SLAs counted as in force (their status says so, which is what the dashboard
    selects on), so that the portfolio has more rows to show."""
    for i in range(how_many):
        document = copy.deepcopy(SLA)
        document["id"] = f"SLA-EXTRA-{i}"
        made = authoring.create_agreement(session, actor=world.actors["manager"], document=document)
        made.status = "active"
    session.flush()


def test_the_portfolio_costs_the_same_queries_for_one_agreement_as_for_three(
    session: Session, world: World, sla_in_force: int
) -> None:
    dashboard.portfolio(session, actor=SYSTEM, now=MARCH)  # warm: the session holds them all
    with counting(session) as one:
        assert len(dashboard.portfolio(session, actor=SYSTEM, now=MARCH)) == 1
    more_in_force(session, world, 2)
    dashboard.portfolio(session, actor=SYSTEM, now=MARCH)
    with counting(session) as three:
        assert len(dashboard.portfolio(session, actor=SYSTEM, now=MARCH)) == 3
    assert len(three) == len(one)


def test_the_portfolio_figures_are_those_of_each_agreement_read_alone(
    session: Session, world: World, sla_in_force: int
) -> None:
    opened = dt.datetime(2026, 3, 10, 1, tzinfo=dt.UTC)
    for number, hours in (("A", 1), ("B", 6), ("C", 2)):
        ticket(session, world, number, opened, hours)
    ticket(session, world, "D", MARCH - dt.timedelta(hours=1), 100)  # still open near its end
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=MARCH)
    more_in_force(session, world, 1)
    [first, _] = dashboard.portfolio(session, actor=SYSTEM, now=MARCH)
    agreement = agreements.get_agreement(session, actor=SYSTEM, agreement_id=sla_in_force)
    start, end, _ = dashboard._month(agreement, MARCH)
    counts = measurement_repo.status_counts_between(session, sla_in_force, start, end)
    breaches, excluded = alert_repo.breach_counts_between(session, sla_in_force, start, end)
    at_risk = measurement_repo.at_risk(session, sla_in_force, MARCH + AT_RISK)
    assert (first.breaches, first.excluded, first.at_risk) == (breaches, excluded, at_risk)
    assert first.met + first.breached == sum(counts[s] for s in ("met", "breached") if s in counts)
    assert min(first.breaches, first.met, first.at_risk) >= 1  # each figure was exercised


def test_an_agreement_the_session_holds_is_not_read_again_until_it_expires(
    session: Session, sla_in_force: int
) -> None:
    session.expire_all()
    with counting(session) as first:
        found = agreement_repo.agreement_by_id(session, sla_in_force)
    with counting(session) as again:
        assert agreement_repo.agreement_by_id(session, sla_in_force) is found
        assert agreement_repo.agreements_by_ids(session, [sla_in_force]) == [found]
    assert isinstance(found, Agreement)
    assert len(first) >= 2
    assert again == []
    session.expire_all()
    with counting(session) as expired:
        assert agreement_repo.agreement_by_id(session, sla_in_force) is found
    assert len(expired) == len(first)
