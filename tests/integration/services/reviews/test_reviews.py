"""Review meetings, their agenda, reminders, minutes and actions (SLM5), on stored data.

The SLA of the fixtures is in force from 2026-01-01 with quarterly reviews; its business
calendar "bj" is Monday–Friday 09:00–18:00 in Beijing without holidays, so the review of
January–March is set on the 5th working day of April 2026 — Wed 1, Thu 2, Fri 3, Mon 6,
Tue 7 — an hour after opening: 2026-04-07 10:00 +08:00 (hand-counted).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Notification, WorkItem
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import breaches, recompute
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews import schedule as review_schedule
from servicelevel.services.reviews.actions import ActionData
from servicelevel.services.reviews.plans import Goal, PlanData
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from servicelevel.services.workspace import portfolio as dashboard
from tests.integration.agreement_fixtures import SLA
from tests.integration.api.test_alerts import channel
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket

UTC = dt.UTC
MARCH = dt.datetime(2026, 3, 20, tzinfo=UTC)


def at(day: str, hour: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


@pytest.fixture
def stored(session: Session, world: World, sla_in_force: int) -> int:
    """February: A met in 1 h, B a near miss (3.8 h of 4 h), C breached (6 h); all P1."""
    for number, hours in (("A", 1), ("B", 3.8), ("C", 6)):
        ticket(session, world, number, at("2026-02-10", 1), hours)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=MARCH)
    return sla_in_force


def test_a_review_is_scheduled_from_the_review_frequency(
    session: Session, world: World, sla_in_force: int
) -> None:
    [meeting] = reviews.schedule_due(session, actor=world.actors["manager"], now=MARCH)
    assert (meeting.period_start, meeting.period_end) == (dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert meeting.scheduled_at == dt.datetime(2026, 4, 7, 2, 0, tzinfo=UTC)
    assert meeting.status == "scheduled"
    people = reviews.participants(session, actor=SYSTEM, meeting_id=meeting.id)
    assert ("customer_representative", "customer_rep") in {(p.role, p.name) for p in people}
    # once is enough: a second run schedules nothing more
    assert reviews.schedule_due(session, actor=world.actors["manager"], now=MARCH) == []
    assert not reviews.is_overdue(meeting, MARCH)
    assert reviews.is_overdue(meeting, at("2026-04-08"))
    late = reviews.list_meetings(session, actor=SYSTEM, overdue=True, now=at("2026-04-08"))
    assert [m.id for m in late.items] == [meeting.id]
    # the portfolio shows the review due, and when it is overdue
    [health] = dashboard.portfolio(session, actor=world.actors["customer_rep"], now=MARCH)
    assert (health.review_id, health.next_review, health.review_overdue) == (
        meeting.id,
        meeting.scheduled_at,
        False,
    )
    [later] = dashboard.portfolio(session, actor=SYSTEM, now=at("2026-04-08"))
    assert later.review_overdue


def test_a_period_long_past_is_reviewed_once_not_one_by_one(
    session: Session, world: World, sla_in_force: int
) -> None:
    """In November with no review held, the latest quarter ended (Jul–Sep, the quarters
    counted from the start in January, due in October) is scheduled — already overdue — not
    the three quarters since January one by one."""
    now = at("2026-11-20")
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=now)
    assert (meeting.period_start, meeting.period_end) == (dt.date(2026, 7, 1), dt.date(2026, 10, 1))
    assert reviews.is_overdue(meeting, now)


def test_the_agenda_is_filled_from_the_period(session: Session, world: World, stored: int) -> None:
    report_snapshots.publish(
        session, actor=SYSTEM, agreement_id=stored, period="2026-02", now=MARCH
    )
    low = surveys.record(
        session,
        actor=world.actors["admin"],
        answer=surveys.Answer(world.acme_id, dt.date(2026, 2, 20), 2, 5, comments="slow"),
    )
    surveys.record(
        session, actor=SYSTEM, answer=surveys.Answer(world.acme_id, dt.date(2026, 3, 2), 9, 10)
    )
    proposal = improvement_plans.propose_from_survey(
        session, actor=world.actors["manager"], survey_id=low.id, code="SIP-1"
    )
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    agenda = meeting.agenda
    [p1, p2] = agenda["trends"]
    february = p1["months"][1]
    assert (p1["target"], february["period"], february["met"], february["breached"]) == (
        "P1-resolution",
        "2026-02",
        2,
        1,
    )
    assert february["within"] == pytest.approx(2 / 3)
    assert [m["period"] for m in p2["months"]] == ["2026-01", "2026-02", "2026-03"]
    assert agenda["breaches"]["total"] == 1
    assert agenda["breaches"]["items"][0]["ticket"] == "C"
    assert agenda["near_misses"]["total"] == 1
    assert agenda["near_misses"]["items"][0]["ticket"] == "B"
    assert [r["period"] for r in agenda["reports"]] == ["2026-02"]
    assert [p["code"] for p in agenda["proposals"]] == [proposal.code]
    assert agenda["satisfaction"]["count"] == 2
    assert agenda["satisfaction"]["mean"] == pytest.approx((0.4 + 0.9) / 2)
    assert [s["id"] for s in agenda["satisfaction"]["low"]] == [low.id]


def test_an_excluded_breach_counts_as_met_in_the_trend(
    session: Session, world: World, stored: int
) -> None:
    [breach] = breaches.list_breaches(session, actor=SYSTEM).items
    breaches.annotate(
        session,
        actor=world.actors["manager"],
        breach_id=breach.id,
        version=breach.version,
        excluded=True,
        reason="customer unreachable",
    )
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    february = meeting.agenda["trends"][0]["months"][1]
    assert (february["met"], february["breached"]) == (3, 0)
    assert meeting.agenda["breaches"]["items"][0]["excluded"] is True


def test_the_chair_is_reminded_once_a_week_ahead(
    session: Session, world: World, sla_in_force: int
) -> None:
    chair = channel(session, "chair", "email", "chair@example.com")
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    assert review_schedule.remind_due(session, now=at("2026-03-30")) == 0  # 8 days ahead: not yet
    assert review_schedule.remind_due(session, now=at("2026-03-31", 3)) == 1
    assert review_schedule.remind_due(session, now=at("2026-04-01")) == 0  # once
    [notice] = session.query(Notification).filter_by(channel_id=chair).all()
    assert notice.kind == "review"
    assert notice.facts["period"] == "2026-01-01 – 2026-03-31"
    [item] = session.query(WorkItem).filter_by(kind="prepare_review").all()
    assert (item.agreement_id, item.status) == (sla_in_force, "open")
    # moving the meeting reminds again of the new date
    moved = reviews.update_meeting(
        session,
        actor=world.actors["manager"],
        meeting_id=meeting.id,
        version=meeting.version,
        data=reviews.MeetingData(scheduled_at=at("2026-04-14", 2)),
    )
    assert moved.reminded_at is None
    assert review_schedule.remind_due(session, now=at("2026-04-08")) == 1
    assert session.query(WorkItem).filter_by(kind="prepare_review").count() == 1


def test_holding_a_meeting_freezes_the_agenda_and_schedules_the_next(
    session: Session, world: World, stored: int
) -> None:
    manager = world.actors["manager"]
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    review_schedule.remind_due(session, now=at("2026-04-01"))
    with pytest.raises(Invalid) as missing:
        reviews.record_minutes(
            session,
            actor=manager,
            meeting_id=meeting.id,
            version=meeting.version,
            record=reviews.Minutes("", [], "improve"),
        )
    assert missing.value.field == "minutes"
    held = reviews.record_minutes(
        session,
        actor=manager,
        meeting_id=meeting.id,
        version=meeting.version,
        record=reviews.Minutes("P1 fell short in February.", ["Add a night shift"], "improve"),
        now=at("2026-04-07", 3),
    )
    assert (held.status, held.outcome, held.decisions) == (
        "held",
        "improve",
        {"items": ["Add a night shift"]},
    )
    assert held.agenda["breaches"]["total"] == 1
    assert session.query(WorkItem).filter_by(kind="prepare_review").one().status == "done"
    [following] = reviews.list_meetings(session, actor=SYSTEM, status="scheduled").items
    assert (following.period_start, following.period_end) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 7, 1),
    )
    # a held meeting keeps its agenda even when the data changes
    ticket(session, world, "D", at("2026-03-03", 1), 9)
    session.flush()
    recompute.recompute(session, agreement_id=stored, now=MARCH)
    assert reviews.get_meeting(session, actor=SYSTEM, meeting_id=held.id).agenda == held.agenda
    with pytest.raises(Conflict):
        reviews.refresh_agenda(session, actor=manager, meeting_id=held.id, version=held.version)


def test_representatives_see_their_own_reviews_and_change_nothing(
    session: Session, world: World, sla_in_force: int
) -> None:
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    rep, outsider = world.actors["customer_rep"], world.actors["outsider"]
    assert reviews.get_meeting(session, actor=rep, meeting_id=meeting.id).id == meeting.id
    with pytest.raises(NotFound):
        reviews.get_meeting(session, actor=outsider, meeting_id=meeting.id)
    assert reviews.list_meetings(session, actor=outsider).total == 0
    with pytest.raises(Forbidden):
        reviews.cancel(session, actor=rep, meeting_id=meeting.id, version=1, reason="no")


def test_an_action_becomes_a_plan_whose_effect_shows_before_and_after(
    session: Session, world: World, stored: int
) -> None:
    """February's P1 compliance is 2/3; after the plan starts on 1 March a ticket met in
    March makes "after" 1/1."""
    manager = world.actors["manager"]
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    action = review_actions.add_action(
        session,
        actor=manager,
        meeting_id=meeting.id,
        data=ActionData("Add a night shift", dt.date(2026, 3, 31), owner_id=manager.user_id),
    )
    assert action.owner_name == "manager"
    plan = review_actions.from_action(session, actor=manager, action_id=action.id, code="SIP-NIGHT")
    assert (plan.origin, plan.meeting_id, plan.status) == ("review", meeting.id, "proposed")
    review_actions.add_action(
        session,
        actor=manager,
        plan_id=plan.id,
        data=ActionData("Hire", dt.date(2026, 3, 15), owner_name="HR"),
    )
    plan = improvement_plans.step(
        session,
        actor=manager,
        plan_id=plan.id,
        version=plan.version,
        transition="activate",
        today=dt.date(2026, 3, 1),
    )
    ticket(session, world, "E", at("2026-03-10", 1), 2)
    session.flush()
    recompute.recompute(session, agreement_id=stored, now=MARCH)
    split, effects = improvement_plans.effect(session, actor=manager, plan_id=plan.id, now=MARCH)
    assert split == "2026-03"
    p1 = next(e for e in effects if e.target == "P1-resolution")
    assert (p1.before.met, p1.before.breached) == (2, 1)
    assert (p1.after.met, p1.after.breached) == (1, 0)
    assert p1.months[0].period == "2025-09"
    hire, night = review_actions.actions(session, plan_ids=[plan.id])  # by due date
    assert (hire.title, night.id) == ("Hire", action.id)  # the plan carries its action
    assert review_actions.progress([hire, night]) == 0.0
    done = review_actions.update_action(
        session, actor=manager, action_id=hire.id, version=hire.version, status="done"
    )
    assert done.done_at is not None
    assert review_actions.progress(review_actions.actions(session, plan_ids=[plan.id])) == 0.5


def test_overdue_actions_are_announced_once(
    session: Session, world: World, sla_in_force: int
) -> None:
    channel(session, "ops", "email", "ops@example.com")
    [meeting] = reviews.schedule_due(session, actor=SYSTEM, now=MARCH)
    review_actions.add_action(
        session,
        actor=SYSTEM,
        meeting_id=meeting.id,
        data=ActionData("Fix the runbook", dt.date(2026, 4, 10), owner_name="Ops lead"),
    )
    assert review_actions.notify_overdue(session, now=at("2026-04-10", 12)) == 0  # due today
    assert review_actions.notify_overdue(session, now=at("2026-04-11")) == 1
    assert review_actions.notify_overdue(session, now=at("2026-04-12")) == 0
    [notice] = session.query(Notification).filter_by(kind="action").all()
    assert notice.facts["action"] == "Fix the runbook"


def test_survey_import_is_all_or_nothing_and_idempotent(session: Session, world: World) -> None:
    admin = world.actors["admin"]
    good = "customer,date,score,comments\nACME,2026-02-01,4,fine\nGLOBEX,2026-02-03,1,awful\n"
    first = surveys.import_csv(session, actor=admin, text=good)
    again = surveys.import_csv(session, actor=admin, text=good)
    assert (first.stored, first.already, again.stored, again.already) == (2, 0, 0, 2)
    unreadable = "customer,date,score\nACME,2026-02-05,4\nACME,someday,9\nACME,2026-02-06,7\n"
    with pytest.raises(Invalid) as failed:
        surveys.import_csv(session, actor=admin, text=unreadable)
    assert [(d["row"], d["message"]) for d in failed.value.details or []] == [
        (3, "date: 'someday' is not a date like 2026-03-31"),
        (4, "score: 7 is outside 0–5"),
    ]
    unknown = (
        "customer,date,score,service\nACME,2026-02-05,4,\nNOPE,2026-02-06,3,\n"
        "ACME,2026-02-06,3,zzz\n"
    )
    with pytest.raises(Invalid) as failed:
        surveys.import_csv(session, actor=admin, text=unknown)
    assert [(d["row"], d["message"]) for d in failed.value.details or []] == [
        (3, "customer: no party NOPE"),
        (4, "service: no service zzz"),
    ]
    assert surveys.list_results(session, actor=admin).total == 2
    trend = surveys.trend(session, actor=admin, per="month", count=2, today=dt.date(2026, 2, 28))
    assert [(t.period, t.count, t.low) for t in trend] == [("2026-01", 0, 0), ("2026-02", 2, 1)]
    assert trend[1].mean == pytest.approx((0.8 + 0.2) / 2)
    rep = world.actors["customer_rep"]
    assert [r.score for r in surveys.list_results(session, actor=rep).items] == [4]


def test_a_plan_needs_a_known_origin_and_goals_the_actor_may_see(
    session: Session, world: World, sla_in_force: int
) -> None:
    manager = world.actors["manager"]
    with pytest.raises(Invalid) as origin:
        improvement_plans.create_plan(
            session, actor=manager, data=PlanData("SIP-X", "x", origin="rumour")
        )
    assert origin.value.field == "origin"
    with pytest.raises(Invalid) as target:
        improvement_plans.create_plan(
            session,
            actor=manager,
            data=PlanData("SIP-X", "x", "problem", goals=[Goal(sla_in_force, "nope")]),
        )
    assert target.value.field == "goals.0.target_key"
    plan = improvement_plans.create_plan(
        session,
        actor=manager,
        data=PlanData("SIP-X", "x", "problem", origin_note="PRB0042", goals=[Goal(sla_in_force)]),
    )
    assert improvement_plans.get_plan(session, actor=world.actors["customer_rep"], plan_id=plan.id)
    with pytest.raises(NotFound):
        improvement_plans.get_plan(session, actor=world.actors["outsider"], plan_id=plan.id)


def test_a_representative_sees_the_effect_on_their_own_targets_only(
    session: Session, world: World, sla_in_force: int
) -> None:
    other = agreements.create_agreement(
        session, actor=SYSTEM, document={**SLA, "id": "SLA-GLOBEX", "customer": "GLOBEX"}
    )
    session.flush()
    plan = improvement_plans.create_plan(
        session,
        actor=world.actors["manager"],
        data=PlanData("SIP-BOTH", "both", "other", goals=[Goal(sla_in_force), Goal(other.id)]),
    )
    _, mine = improvement_plans.effect(
        session, actor=world.actors["customer_rep"], plan_id=plan.id, now=MARCH
    )
    assert {e.agreement for e in mine} == {"SLA-1"}
    _, every = improvement_plans.effect(session, actor=SYSTEM, plan_id=plan.id, now=MARCH)
    assert {e.agreement for e in every} == {"SLA-1", "SLA-GLOBEX"}
