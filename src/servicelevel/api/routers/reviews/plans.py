"""/api/v1/reviews/{id}/actions, /actions and /improvement-plans: the actions decided in review
meetings or taken up by service improvement plans, and the plans with their goals, steps,
progress and effect (SLM5)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut
from servicelevel.api.schemas.reviews import (
    ActionIn,
    ActionOut,
    ActionPatch,
    EffectOut,
    GoalOut,
    PlanDetail,
    PlanFromIn,
    PlanIn,
    PlanOut,
    StepIn,
)
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews.actions import ActionData
from servicelevel.services.reviews.plans import Goal, PlanData

router = APIRouter(tags=["reviews"])


@router.post("/reviews/{meeting_id}/actions", response_model=ActionOut, status_code=201)
def add_meeting_action(
    meeting_id: RecordId, body: ActionIn, session: SessionDep, actor: ActorDep
) -> ActionOut:
    """An action decided in the meeting (owner, due date)."""
    action = review_actions.add_action(
        session, actor=actor, meeting_id=meeting_id, data=_action(body)
    )
    commit(session)
    return ActionOut.model_validate(action)


def _action(body: ActionIn) -> ActionData:
    return ActionData(body.title, body.due_on, body.owner_id, body.owner_name, body.note)


@router.patch("/actions/{action_id}", response_model=ActionOut)
def update_action(
    action_id: RecordId, body: ActionPatch, session: SessionDep, actor: ActorDep
) -> ActionOut:
    """Mark an action done, cancelled or open again; move its due date; add a note."""
    action = review_actions.update_action(
        session,
        actor=actor,
        action_id=action_id,
        version=body.lock_version,
        status=body.status,
        due_on=body.due_on,
        note=body.note,
    )
    commit(session)
    return ActionOut.model_validate(action)


@router.post("/actions/{action_id}/plan", response_model=PlanOut, status_code=201)
def plan_from_action(
    action_id: RecordId, body: PlanFromIn, session: SessionDep, actor: ActorDep
) -> PlanOut:
    """Raise an improvement plan from an action decided in a review."""
    plan = review_actions.from_action(
        session, actor=actor, action_id=action_id, code=body.code, owner_id=body.owner_id
    )
    commit(session)
    return PlanOut.model_validate(plan)


@router.get("/improvement-plans", response_model=PageOut[PlanOut])
def list_plans(
    session: SessionDep,
    actor: ActorDep,
    agreement_id: RecordFilter | None = None,
    status: Literal["proposed", "active", "completed", "cancelled"] | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[PlanOut]:
    page = improvement_plans.list_plans(
        session,
        actor=actor,
        agreement_id=agreement_id,
        status=status,
        offset=offset,
        limit=limit,
    )
    items = [PlanOut.model_validate(p) for p in page.items]
    return PageOut[PlanOut](items=items, total=page.total, offset=offset, limit=limit)


@router.post("/improvement-plans", response_model=PlanDetail, status_code=201)
def create_plan(body: PlanIn, session: SessionDep, actor: ActorDep) -> PlanDetail:
    data = PlanData(
        code=body.code,
        title=body.title,
        origin=body.origin,
        goal=body.goal,
        origin_note=body.origin_note,
        meeting_id=body.meeting_id,
        survey_id=body.survey_id,
        owner_id=body.owner_id,
        starts_on=body.starts_on,
        due_on=body.due_on,
        goals=[Goal(g.agreement_id, g.target_key, g.service_id) for g in body.goals],
    )
    plan = improvement_plans.create_plan(session, actor=actor, data=data)
    commit(session)
    return _plan(session, plan)


def _plan(session: SessionDep, plan: Any) -> PlanDetail:
    found = review_actions.actions(session, plan_ids=[plan.id])
    goals = improvement_plans.goals(session, [plan.id])[plan.id]
    return PlanDetail(
        **PlanOut.model_validate(plan).model_dump(),
        goals=[GoalOut.model_validate(g) for g in goals],
        actions=[ActionOut.model_validate(a) for a in found],
        progress=review_actions.progress(found),
    )


@router.get("/improvement-plans/{plan_id}", response_model=PlanDetail)
def get_plan(plan_id: RecordId, session: SessionDep, actor: ActorDep) -> PlanDetail:
    """A plan with its goals, actions and progress (the share of its actions done)."""
    return _plan(session, improvement_plans.get_plan(session, actor=actor, plan_id=plan_id))


@router.post("/improvement-plans/{plan_id}/steps", response_model=PlanDetail)
def step_plan(plan_id: RecordId, body: StepIn, session: SessionDep, actor: ActorDep) -> PlanDetail:
    """activate (starts the before/after comparison), complete or cancel."""
    plan = improvement_plans.step(
        session,
        actor=actor,
        plan_id=plan_id,
        version=body.lock_version,
        transition=body.transition,
        starts_on=body.starts_on,
    )
    commit(session)
    return _plan(session, plan)


@router.post("/improvement-plans/{plan_id}/actions", response_model=ActionOut, status_code=201)
def add_plan_action(
    plan_id: RecordId, body: ActionIn, session: SessionDep, actor: ActorDep
) -> ActionOut:
    action = review_actions.add_action(session, actor=actor, plan_id=plan_id, data=_action(body))
    commit(session)
    return ActionOut.model_validate(action)


@router.get("/improvement-plans/{plan_id}/effect", response_model=EffectOut)
def plan_effect(plan_id: RecordId, session: SessionDep, actor: ActorDep) -> EffectOut:
    """Each aimed-at target's compliance month by month, and pooled before and after the
    month the plan started."""
    split, found = improvement_plans.effect(session, actor=actor, plan_id=plan_id)
    return EffectOut.of(split, found)
