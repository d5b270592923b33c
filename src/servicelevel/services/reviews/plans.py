"""Service improvement plans (SIP, 服务改进计划): their goals, steps and effect.

A plan has a goal aimed at agreements' targets or at services, an origin (a review, a breach
trend, a problem record, a survey), an owner and actions with owners, due dates and status
(:mod:`servicelevel.services.reviews.actions`, where a plan's progress is counted, and where
an action decided in a review raises a plan). A plan moves proposed → active → completed (or
cancelled); activating it sets ``starts_on`` if not given, and :func:`effect` compares each
aimed-at target's compliance before and after that day, month by month, on one chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from servicelevel.db.models import ImprovementPlan, PlanGoal
from servicelevel.db.models.reviews import PLAN_ORIGINS
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.reporting import trends
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import schedule as review_schedule
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import known_user, text

FIELDS = (
    "code",
    "title",
    "goal",
    "origin",
    "origin_note",
    "meeting_id",
    "survey_id",
    "status",
    "owner_id",
    "starts_on",
    "due_on",
)
STEPS = {
    "activate": (("proposed",), "active"),
    "complete": (("active",), "completed"),
    "cancel": (("proposed", "active"), "cancelled"),
}
EFFECT_MONTHS = 6  # months before the plan's start shown beside the months since


@dataclass(frozen=True)
class Goal:
    agreement_id: int | None = None
    target_key: str = ""
    service_id: int | None = None


@dataclass(frozen=True)
class PlanData:
    code: str
    title: str
    origin: str
    goal: str = ""
    origin_note: str = ""
    meeting_id: int | None = None
    survey_id: int | None = None
    owner_id: int | None = None
    starts_on: dt.date | None = None
    due_on: dt.date | None = None
    goals: list[Goal] = field(default_factory=list)


def create_plan(session: Session, *, actor: Actor, data: PlanData) -> ImprovementPlan:
    require(actor, "improvement.write")
    code = text(data.code, "code", required=True, limit=40)
    if repo.plan_by_code(session, code) is not None:
        raise Conflict("an improvement plan {code} exists already", "code", code=code)
    if data.origin not in PLAN_ORIGINS:
        raise Invalid("origin must be one of {origins}", "origin", origins=", ".join(PLAN_ORIGINS))
    _check_refs(session, actor, data)
    plan = ImprovementPlan(
        code=code,
        title=text(data.title, "title", required=True, limit=300),
        goal=text(data.goal, "goal", limit=20_000),
        origin=data.origin,
        origin_note=text(data.origin_note, "origin_note", limit=500),
        meeting_id=data.meeting_id,
        survey_id=data.survey_id,
        owner_id=data.owner_id,
        starts_on=data.starts_on,
        due_on=data.due_on,
        status="proposed",
    )
    session.add(plan)
    session.flush()
    session.add_all(_goal_rows(plan.id, data.goals))
    after = audit.snapshot(plan, FIELDS) | {"goals": [g.__dict__ for g in data.goals]}
    audit.record(session, actor, "create", plan, None, after)
    return plan


def _check_refs(session: Session, actor: Actor, data: PlanData) -> None:
    known_user(session, data.owner_id, "owner_id")
    if data.meeting_id is not None:
        reviews.get_meeting(session, actor=actor, meeting_id=data.meeting_id)
    if data.survey_id is not None:
        surveys.get_result(session, actor=actor, survey_id=data.survey_id)
    if data.starts_on and data.due_on and data.due_on < data.starts_on:
        raise Invalid("the plan cannot be due before it starts", "due_on")
    for i, g in enumerate(data.goals):
        _check_goal(session, actor, g, f"goals.{i}")


def _check_goal(session: Session, actor: Actor, goal: Goal, where: str) -> None:
    if goal.agreement_id is None and goal.service_id is None:
        raise Invalid("a goal aims at an agreement (and target) or a service", where)
    if goal.agreement_id is not None:
        agreement = agreements.get_agreement(session, actor=actor, agreement_id=goal.agreement_id)
        keys = {t.key for v in agreement.versions for t in v.targets}
        if goal.target_key and goal.target_key not in keys:
            raise Invalid(
                "agreement {code} has no target {key}",
                f"{where}.target_key",
                code=agreement.code,
                key=goal.target_key,
            )
    if goal.service_id is not None and catalog_repo.service_by_id(session, goal.service_id) is None:
        raise Invalid("no service {id}", f"{where}.service_id", id=goal.service_id)


def _goal_rows(plan_id: int, goals: list[Goal]) -> list[PlanGoal]:
    return [
        PlanGoal(
            plan_id=plan_id,
            agreement_id=g.agreement_id,
            target_key=g.target_key,
            service_id=g.service_id,
        )
        for g in goals
    ]


def visible(session: Session, actor: Actor, plan: ImprovementPlan) -> bool:
    """Staff and viewers see every plan; representatives the plans aimed at their agreements."""
    if not actor.scoped:
        return True
    mine = set(agreement_repo.ids_of_parties(session, actor.parties))
    goals = repo.goals_of(session, [plan.id])[plan.id]
    return any(g.agreement_id in mine for g in goals)


def get_plan(session: Session, *, actor: Actor, plan_id: int) -> ImprovementPlan:
    require(actor, "improvement.read")
    plan = repo.plan_by_id(session, plan_id)
    if plan is None or not visible(session, actor, plan):
        raise NotFound("no improvement plan {id}", id=plan_id)
    return plan


def list_plans(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ImprovementPlan]:
    require(actor, "improvement.read")
    return repo.list_plans(
        session,
        agreements=reviews.visible_agreements(session, actor),
        agreement_id=agreement_id,
        status=status,
        offset=offset,
        limit=limit,
    )


def goals(session: Session, plan_ids: list[int]) -> dict[int, list[PlanGoal]]:
    """The goals of plans already read (no further permission check)."""
    return repo.goals_of(session, plan_ids)


def step(
    session: Session,
    *,
    actor: Actor,
    plan_id: int,
    version: int,
    transition: str,
    today: dt.date | None = None,
    starts_on: dt.date | None = None,
) -> ImprovementPlan:
    """activate (from ``starts_on``: the plan's own start, else today), complete or cancel."""
    require(actor, "improvement.write")
    plan = get_plan(session, actor=actor, plan_id=plan_id)
    audit.check_version(plan, version)
    if transition not in STEPS:
        raise Invalid("transition must be one of activate, complete, cancel", "transition")
    sources, target = STEPS[transition]
    if plan.status not in sources:
        raise Conflict(
            "a {status} plan cannot {step}", "transition", status=plan.status, step=transition
        )
    before = audit.snapshot(plan, FIELDS)
    plan.status = target
    if target == "active":
        plan.starts_on = starts_on or plan.starts_on or today or dt.datetime.now(dt.UTC).date()
    if target == "completed":
        plan.completed_at = dt.datetime.now(dt.UTC)
    audit.record(session, actor, transition, plan, before, audit.snapshot(plan, FIELDS))
    return plan


def propose_from_survey(
    session: Session, *, actor: Actor, survey_id: int, code: str
) -> ImprovementPlan:
    """A low satisfaction score raises a plan proposal aimed at the customer's agreements
    covering the service answered about (or all of the customer's agreements in force)."""
    require(actor, "improvement.write")
    result = surveys.get_result(session, actor=actor, survey_id=survey_id)
    if not surveys.is_low(result):
        raise Invalid(
            "only a low score ({limit:.0%} of the scale or less) raises a proposal",
            "survey_id",
            limit=surveys.LOW,
        )
    aimed = [
        Goal(agreement_id=a.id)
        for a in agreement_repo.agreements_in_force(session)
        if a.counterparty_id == result.party_id
        and (
            result.service_id is None
            or any(s.service_id == result.service_id for s in agreements.current(a).services)
        )
    ]
    if result.service_id is not None:
        aimed.append(Goal(service_id=result.service_id))
    data = PlanData(
        code=code,
        title=f"Satisfaction {result.score:g}/{result.scale} on {result.answered_on.isoformat()}",
        origin="survey",
        survey_id=result.id,
        goal=result.comments,
        goals=aimed,
    )
    return create_plan(session, actor=actor, data=data)


@dataclass(frozen=True)
class TargetEffect:
    agreement_id: int
    agreement: str
    target: str
    name: str
    objective: float | None
    months: list[trends.PeriodFigure]
    before: trends.PeriodFigure
    after: trends.PeriodFigure


def effect(
    session: Session, *, actor: Actor, plan_id: int, now: dt.datetime | None = None
) -> tuple[str | None, list[TargetEffect]]:
    """For each target the plan aims at: compliance month by month from :data:`EFFECT_MONTHS`
    before the plan started to the current month, pooled before and after the start. Returns
    the first month counted as "after" (``None`` while the plan has not started)."""
    plan = get_plan(session, actor=actor, plan_id=plan_id)
    moment = now or dt.datetime.now(dt.UTC)
    split = plan.starts_on
    out = []
    for g in repo.goals_of(session, [plan.id])[plan.id]:
        if g.agreement_id is None:
            continue
        try:
            agreement = agreements.get_agreement(session, actor=actor, agreement_id=g.agreement_id)
        except NotFound:  # a goal on another customer's agreement: not this reader's to see
            continue
        zone = agreements.current(agreement).timezone
        first = review_schedule.add_months((split or moment.date()).replace(day=1), -EFFECT_MONTHS)
        end = review_schedule.add_months(moment.date().replace(day=1), 1)
        periods = trends.months_between(first, end, zone)
        for t in trends.by_target(session, agreement, periods):
            if g.target_key and t.target != g.target_key:
                continue
            cut = f"{split.year:04d}-{split.month:02d}" if split else None
            before = [m for m in t.months if cut is None or m.period < cut]
            after = [m for m in t.months if cut is not None and m.period >= cut]
            out.append(
                TargetEffect(
                    agreement.id,
                    agreement.code,
                    t.target,
                    t.name,
                    t.objective,
                    t.months,
                    trends.pooled(before),
                    trends.pooled(after),
                )
            )
    return (f"{split.year:04d}-{split.month:02d}" if split else None), out


def is_overdue(plan: ImprovementPlan, *, today: dt.date) -> bool:
    """A plan still open (proposed or in progress) after its due date is overdue. Derived from
    the due date and ``today`` whenever it is shown, never stored: nothing has to run on the
    day it falls due, and moving the due date clears it at once."""
    return plan.status in ("proposed", "active") and plan.due_on is not None and plan.due_on < today
