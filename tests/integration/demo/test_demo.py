"""The demo loads, and loads again without duplicating anything."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.demo.loader import DEMO_PASSWORD, load_demo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements import underpinning
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.requirements import change_requests
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.shared import work

NOW = dt.datetime(2026, 6, 30, 9, 18, tzinfo=dt.UTC)


def test_the_demo_can_be_loaded_twice(session: Session) -> None:
    first = load_demo(session, NOW)
    assert first["reviews"] > 80  # survey answers, a held review, the reviews scheduled
    assert {k: v for k, v in first.items() if k not in ("tickets", "reviews")} == {
        "parties": 6,
        "calendars": 3,
        "users": 7,
        "services": 4,
        "requirements": 1,
        "agreements": 4,
    }
    assert first["tickets"] > 1000  # a year of working days
    again = load_demo(session, NOW)
    assert again == {
        "parties": 0,
        "calendars": 0,
        "users": 0,
        "services": 0,
        "requirements": 0,
        "agreements": 0,
        "tickets": 0,
        "reviews": 0,
    }
    held = reviews.list_meetings(session, actor=SYSTEM, status="held").items
    assert [(m.period_start, m.outcome) for m in held] == [(dt.date(2025, 6, 1), "improve")]
    [plan] = improvement_plans.list_plans(session, actor=SYSTEM).items
    steps = review_actions.actions(session, plan_ids=[plan.id])
    assert (plan.code, plan.status) == ("SIP-CONTOSO-01", "active")
    # the review's action it was raised from, and two steps of which one is done
    assert review_actions.progress(steps) == pytest.approx(1 / 3)
    scheduled = reviews.list_meetings(session, actor=SYSTEM, status="scheduled").items
    in_force = {a.id for a in agreement_repo.agreements_in_force(session)}
    assert sorted(m.agreement_id for m in scheduled) == sorted(in_force)  # one each
    rep = identity.authenticate(session, username="contoso", password=DEMO_PASSWORD)
    assert rep.roles == {"customer_representative"}
    assert len(rep.parties) == 1
    published = catalog.published_catalog(session, actor=rep)
    assert [s.code for s in published] == ["erp", "pos", "email"]  # by category, then code
    assert [o.code for o in published[0].options] == ["gold", "silver", "bronze"]
    # pos only: email and erp were approved (define the SLA) and are covered by an SLA in force
    assert work.list_work(session, actor=SYSTEM, status="open").total == 1
    mine = agreements.list_agreements(session, actor=rep).items
    assert [a.code for a in mine] == ["SLA-CONTOSO-2026"]
    assert mine[0].status == "active"  # from 1 June 2025 to 31 May 2027
    assert change_requests.list_change_requests(session, actor=rep).total == 0  # Fabrikam's
    [change] = change_requests.list_change_requests(session, actor=SYSTEM).items
    assert change.status == "open"
    findings = underpinning.portfolio_findings(session, actor=SYSTEM)
    assert sorted((f.sla, f.kind) for f in findings) == [
        ("SLA-CONTOSO-2026", "ends_earlier"),
        ("SLA-CONTOSO-2026", "looser_target"),
        ("SLA-FABRIKAM-2026", "uncovered_service"),  # nothing underpins it yet: pos, email
        ("SLA-FABRIKAM-2026", "uncovered_service"),
    ]
