"""Service improvement plans (SIP, 服务改进计划) and the actions of plans and review meetings.

A plan has a goal aimed at agreements' targets or at services, an origin (a review, a breach
trend, a problem record, a survey), an owner and actions with owners, due dates and status;
its progress is the share of its actions done. A plan moves proposed → active → completed (or
cancelled); activating it sets ``starts_on`` if not given, and :func:`effect` compares each
aimed-at target's compliance before and after that day, month by month, on one chart.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from servicelevel.db.models import ImprovementAction, ImprovementPlan, PlanGoal
from servicelevel.db.models.reviews import ACTION_STATES, PLAN_ORIGINS
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.notifications import channels as notifications
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
ACTION_FIELDS = (
    "meeting_id",
    "plan_id",
    "title",
    "owner_id",
    "owner_name",
    "due_on",
    "status",
    "note",
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


def from_action(
    session: Session, *, actor: Actor, action_id: int, code: str, owner_id: int | None = None
) -> ImprovementPlan:
    """A plan proposed from an action decided in a review: aimed at the meeting's agreement,
    and carrying the action — the action stays on the meeting's list and becomes the plan's
    first, so the plan's progress follows it (one action, tracked once, seen in both)."""
    require(actor, "improvement.write")
    action = get_action(session, actor=actor, action_id=action_id)
    if action.meeting_id is None:
        raise Invalid("only an action of a review meeting can raise a plan", "action_id")
    if action.plan_id is not None:
        raise Conflict("the action is carried by a plan already", "action_id")
    meeting = reviews.get_meeting(session, actor=actor, meeting_id=action.meeting_id)
    data = PlanData(
        code=code,
        title=action.title,
        origin="review",
        meeting_id=meeting.id,
        goal=action.note or action.title,
        owner_id=owner_id or action.owner_id,
        due_on=action.due_on,
        goals=[Goal(agreement_id=meeting.agreement_id)],
    )
    plan = create_plan(session, actor=actor, data=data)
    before = audit.snapshot(action, ACTION_FIELDS)
    action.plan_id = plan.id
    audit.record_update(session, actor, action, before, audit.snapshot(action, ACTION_FIELDS))
    session.flush()
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
class ActionData:
    title: str
    due_on: dt.date
    owner_id: int | None = None
    owner_name: str = ""
    note: str = ""


def add_action(
    session: Session,
    *,
    actor: Actor,
    data: ActionData,
    meeting_id: int | None = None,
    plan_id: int | None = None,
) -> ImprovementAction:
    require(actor, "improvement.write")
    if (meeting_id is None) == (plan_id is None):
        raise Invalid("an action belongs to a meeting or a plan", "meeting_id")
    if meeting_id is not None:
        meeting = reviews.get_meeting(session, actor=actor, meeting_id=meeting_id)
        if meeting.status == "cancelled":
            raise Conflict("review meeting {id} is cancelled", "status", id=meeting.id)
    if plan_id is not None:
        plan = get_plan(session, actor=actor, plan_id=plan_id)
        if plan.status in ("completed", "cancelled"):
            raise Conflict(
                "improvement plan {code} is {status}", "status", code=plan.code, status=plan.status
            )
    owner_name = text(data.owner_name, "owner_name", limit=200)
    owner = known_user(session, data.owner_id, "owner_id")
    if owner is not None:
        owner_name = owner_name or owner.display_name or owner.username
    if not owner_name:
        raise Invalid("an action needs an owner", "owner_name")
    action = ImprovementAction(
        meeting_id=meeting_id,
        plan_id=plan_id,
        title=text(data.title, "title", required=True, limit=500),
        owner_id=data.owner_id,
        owner_name=owner_name,
        due_on=data.due_on,
        note=text(data.note, "note"),
        status="open",
    )
    session.add(action)
    audit.record(session, actor, "create", action, None, audit.snapshot(action, ACTION_FIELDS))
    return action


def get_action(session: Session, *, actor: Actor, action_id: int) -> ImprovementAction:
    require(actor, "improvement.read")
    action = repo.action_by_id(session, action_id)
    if action is None:
        raise NotFound("no action {id}", id=action_id)
    try:
        if action.meeting_id is not None:
            reviews.get_meeting(session, actor=actor, meeting_id=action.meeting_id)
        else:
            get_plan(session, actor=actor, plan_id=action.plan_id or 0)
    except NotFound:
        raise NotFound("no action {id}", id=action_id) from None
    return action


def update_action(
    session: Session,
    *,
    actor: Actor,
    action_id: int,
    version: int,
    status: str | None = None,
    due_on: dt.date | None = None,
    note: str | None = None,
) -> ImprovementAction:
    """Mark an action done or cancelled (or open again), move its due date, add a note."""
    require(actor, "improvement.write")
    action = get_action(session, actor=actor, action_id=action_id)
    audit.check_version(action, version)
    before = audit.snapshot(action, ACTION_FIELDS)
    if status is not None:
        if status not in ACTION_STATES:
            raise Invalid("status must be one of open, done, cancelled", "status")
        action.done_at = dt.datetime.now(dt.UTC) if status == "done" else None
        action.status = status
    if due_on is not None and due_on != action.due_on:
        action.due_on, action.overdue_notified_at = due_on, None
    if note is not None:
        action.note = text(note, "note")
    audit.record_update(session, actor, action, before, audit.snapshot(action, ACTION_FIELDS))
    return action


def actions(
    session: Session, *, meeting_ids: list[int] | None = None, plan_ids: list[int] | None = None
) -> list[ImprovementAction]:
    """The actions of meetings or plans already read (no further permission check)."""
    return repo.actions_of(session, meeting_ids=meeting_ids or [], plan_ids=plan_ids or [])


def progress(found: list[ImprovementAction]) -> float | None:
    """The share of a plan's actions done (cancelled ones do not count)."""
    counted = [a for a in found if a.status != "cancelled"]
    return sum(a.status == "done" for a in counted) / len(counted) if counted else None


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


def agreement_of_action(session: Session, action: ImprovementAction) -> int | None:
    """The agreement an action belongs to: its meeting's, or its plan's first aimed at."""
    if action.meeting_id is not None:
        meeting = repo.meeting_by_id(session, action.meeting_id)
        return meeting.agreement_id if meeting else None
    goals = repo.goals_of(session, [action.plan_id or 0]).get(action.plan_id or 0, [])
    return next((g.agreement_id for g in goals if g.agreement_id is not None), None)


def notify_overdue(session: Session, *, now: dt.datetime) -> int:
    """Announce open actions past their due date, once each."""
    told = 0
    for action in repo.overdue_unnotified(session, now.date()):
        agreement_id = agreement_of_action(session, action)
        if agreement_id is not None:
            heads = agreement_repo.heads(session, [agreement_id])
            code, title, _ = heads.get(agreement_id, ("", "", 0))
            facts = {
                "agreement": code,
                "agreement_name": title,
                "action": action.title,
                "owner": action.owner_name,
                "due_on": action.due_on.isoformat(),
            }
            told += notifications.announce(
                session,
                agreement_id=agreement_id,
                kind="action",
                key=f"action:{action.id}",
                facts=facts,
                urgent=False,
                now=now,
            )
        action.overdue_notified_at = now
    session.flush()
    return told


def is_overdue(plan: ImprovementPlan, *, today: dt.date) -> bool:
    """A plan still open (proposed or in progress) after its due date is overdue. Derived from
    the due date and ``today`` whenever it is shown, never stored: nothing has to run on the
    day it falls due, and moving the due date clears it at once."""
    return plan.status in ("proposed", "active") and plan.due_on is not None and plan.due_on < today
