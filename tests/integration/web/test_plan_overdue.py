"""An improvement plan past its due date reads Overdue, derived from the due date and today:
nothing stored changes, and a plan completed or not yet due never says so."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews.plans import PlanData
from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in

MAY_15 = dt.date(2026, 5, 15)


def plan(session: Session, world: World, code: str, due_on: dt.date) -> int:
    made = improvement_plans.create_plan(
        session,
        actor=world.actors["manager"],
        data=PlanData(code, f"Plan {code}", "problem", due_on=due_on),
    )
    session.flush()
    return made.id


def test_a_plan_is_overdue_only_while_open_and_after_its_due_date(
    session: Session, world: World
) -> None:
    made = improvement_plans.get_plan(
        session, actor=world.actors["manager"], plan_id=plan(session, world, "SIP-1", MAY_15)
    )
    assert not improvement_plans.is_overdue(made, today=MAY_15)  # due today: not yet late
    assert improvement_plans.is_overdue(made, today=MAY_15 + dt.timedelta(days=1))
    made.status = "active"
    assert improvement_plans.is_overdue(made, today=dt.date(2026, 12, 3))
    made.status = "completed"
    assert not improvement_plans.is_overdue(made, today=dt.date(2026, 12, 3))


def test_the_plan_pages_flag_a_plan_past_its_due_date_in_the_readers_language(
    client: TestClient, session: Session, world: World
) -> None:
    late = plan(session, world, "SIP-LATE", MAY_15)  # the scenario's today is 2026-12-03
    later = plan(session, world, "SIP-LATER", dt.date(2027, 1, 31))
    sign_in(client, "manager")
    listing = client.get("/improvement-plans").text
    row = listing.split(f'id="plan-{late}"', 1)[1].split("</tr>", 1)[0]
    assert "Overdue" in row
    assert "Overdue" not in listing.split(f'id="plan-{later}"', 1)[1].split("</tr>", 1)[0]
    assert 'id="plan-overdue"' in client.get(f"/improvement-plans/{late}").text
    assert 'id="plan-overdue"' not in client.get(f"/improvement-plans/{later}").text
    client.cookies.set("slm_lang", "zh_Hans")
    assert "已逾期" in client.get(f"/improvement-plans/{late}").text
