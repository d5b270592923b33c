"""Service improvement plans in the browser (SLM5): plans with their actions, progress and
before/after chart, their steps, and actions marked done, cancelled or open again."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from babel.numbers import format_percent
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep
from servicelevel.i18n import translator
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.reporting import charts
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews.plans import Goal, PlanData
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.forms import day
from servicelevel.web.pages import language, render
from servicelevel.web.routes.reviews.meetings import ActionForm, action_data, meeting_view
from servicelevel.web.submit import perform

router = APIRouter()
BIG = 2**63 - 1


def share_format(request: Request) -> Any:
    """How a chart writes a share (0.975 → 97.5%), in the page's language."""
    locale = translator(language(request)).babel_locale
    return lambda v: format_percent(v, "#,##0.#%", locale=locale)


def _today() -> dt.date:
    """The date a plan's due date is compared with (the server's clock, in UTC)."""
    return dt.datetime.now(dt.UTC).date()


@router.get("/improvement-plans")
def plan_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _plans(request, visitor, db, status, {}, {})


def _plans(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: str,
    values: dict[str, str],
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    chosen = status if status in labels.PLAN_STATES else None
    page = improvement_plans.list_plans(db, actor=visitor.actor, status=chosen, limit=500)
    found = review_actions.actions(db, plan_ids=[p.id for p in page.items])
    progress = {
        p.id: review_actions.progress([a for a in found if a.plan_id == p.id]) for p in page.items
    }
    deals = agreements.list_agreements(db, actor=visitor.actor, limit=500).items
    return render(
        request,
        "improvement/plans.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        progress=progress,
        overdue={p.id for p in page.items if improvement_plans.is_overdue(p, today=_today())},
        deals=deals,
        state=status,
        labels=labels,
        values=values,
        errors=errors,
        status=code,
    )


class PlanForm(BaseModel):
    code: str = ""
    title: str = ""
    origin: str = "other"
    origin_note: str = ""
    goal: str = ""
    agreement_id: int = Field(default=0, ge=0, le=BIG)
    target_key: str = ""
    due_on: str = ""
    csrf: str = ""


@router.post("/improvement-plans")
def create_plan(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[PlanForm, Form()]
) -> Response:
    def call() -> Any:
        aimed = [Goal(form.agreement_id, form.target_key.strip())] if form.agreement_id else []
        data = PlanData(
            code=form.code,
            title=form.title,
            origin=form.origin,
            goal=form.goal,
            origin_note=form.origin_note,
            due_on=day(form.due_on, "due_on"),
            goals=aimed,
        )
        return improvement_plans.create_plan(db, actor=visitor.actor, data=data)

    values = {k: str(v) for k, v in form.model_dump(exclude={"csrf"}).items()}
    return perform(
        visitor,
        db,
        form.csrf,
        call,
        then=lambda p: f"/improvement-plans/{p.id}",
        failed=lambda e, c: _plans(
            request, visitor, db, "", values, {getattr(e, "field", None) or "form": e}, c
        ),
    )


@router.get("/improvement-plans/{plan_id}")
def plan_page(request: Request, plan_id: int, visitor: UserDep, db: SessionDep) -> Response:
    return _plan(request, plan_id, visitor, db, {})


def _plan(
    request: Request,
    plan_id: int,
    visitor: UserDep,
    db: SessionDep,
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    plan = improvement_plans.get_plan(db, actor=visitor.actor, plan_id=plan_id)
    found = review_actions.actions(db, plan_ids=[plan.id])
    starts, effects = improvement_plans.effect(db, actor=visitor.actor, plan_id=plan.id)
    t = translator(language(request))
    drawn = {
        f"{e.agreement}/{e.target}": charts.line_chart(
            [m.period for m in e.months],
            [charts.Series(t.gettext("Compliance"), [m.within for m in e.months])],
            title=f"{e.agreement} · {e.name or e.target}",
            share=share_format(request),
            objective=e.objective,
            objective_label=t.gettext("Objective"),
            marker=starts,
            marker_label=t.gettext("Plan started"),
        )
        for e in effects
    }
    goals = improvement_plans.goals(db, [plan.id])[plan.id]
    codes = {
        a.id: a.code for a in agreements.list_agreements(db, actor=visitor.actor, limit=500).items
    }
    return render(
        request,
        "improvement/plan.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        plan=plan,
        overdue=improvement_plans.is_overdue(plan, today=_today()),
        goals=goals,
        codes=codes,
        actions=found,
        progress=review_actions.progress(found),
        effects=effects,
        charts=drawn,
        labels=labels,
        errors=errors,
        status=code,
    )


class StepForm(BaseModel):
    version: int = Field(default=1, ge=1, le=BIG)
    transition: str = ""
    starts_on: str = ""
    csrf: str = ""


@router.post("/improvement-plans/{plan_id}/steps")
def step(
    request: Request,
    plan_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[StepForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: improvement_plans.step(
            db,
            actor=visitor.actor,
            plan_id=plan_id,
            version=form.version,
            transition=form.transition,
            starts_on=day(form.starts_on, "starts_on"),
        ),
        then=f"/improvement-plans/{plan_id}",
        failed=lambda e, c: _plan(request, plan_id, visitor, db, {"steps": e}, c),
    )


@router.post("/improvement-plans/{plan_id}/actions")
def add_action(
    request: Request,
    plan_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[ActionForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: review_actions.add_action(
            db, actor=visitor.actor, plan_id=plan_id, data=action_data(form)
        ),
        then=f"/improvement-plans/{plan_id}#actions",
        failed=lambda e, c: _plan(request, plan_id, visitor, db, {"actions": e}, c),
    )


class StatusForm(BaseModel):
    version: int = Field(default=1, ge=1, le=BIG)
    status: str = ""
    on_plan: bool = False  # sent from the plan's page: back there, not to the meeting
    csrf: str = ""


@router.post("/actions/{action_id}/status")
def action_status(
    request: Request,
    action_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[StatusForm, Form()],
) -> Response:
    """Done, cancelled or open again; back to the page it was changed on: the plan's (an
    action raised at a review and carried by a plan is on both) or else the meeting's."""
    action = review_actions.get_action(db, actor=visitor.actor, action_id=action_id)
    on_meeting = action.meeting_id is not None and not (form.on_plan and action.plan_id)
    back = f"/reviews/{action.meeting_id}" if on_meeting else f"/improvement-plans/{action.plan_id}"

    def failed(error: object, code: int) -> Response:
        if on_meeting and action.meeting_id:
            return meeting_view(request, action.meeting_id, visitor, db, {"actions": error}, code)
        return _plan(request, action.plan_id or 0, visitor, db, {"actions": error}, code)

    return perform(
        visitor,
        db,
        form.csrf,
        lambda: review_actions.update_action(
            db, actor=visitor.actor, action_id=action_id, version=form.version, status=form.status
        ),
        then=f"{back}#actions",
        failed=failed,
    )
