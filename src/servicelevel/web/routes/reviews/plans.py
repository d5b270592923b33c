"""Service improvement plans and customer satisfaction in the browser (SLM5): plans with their
actions, progress and before/after chart; survey results entered or imported, their trend,
and a plan proposed from a low score."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from babel.numbers import format_percent
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep
from servicelevel.i18n import translator
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.parties import directory as parties
from servicelevel.services.reporting import charts
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews.plans import Goal, PlanData
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Invalid
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.forms import day
from servicelevel.web.pages import language, render
from servicelevel.web.routes.reviews.meetings import ActionForm, action_data, meeting_view
from servicelevel.web.submit import perform

router = APIRouter()
BIG = 2**63 - 1


def _share(request: Request) -> Any:
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
            share=_share(request),
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


@router.get("/surveys")
def survey_page(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    party: Annotated[int, Query(ge=0, le=BIG)] = 0,
) -> Response:
    return _surveys(request, visitor, db, party, {}, {})


def _surveys(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    party: int,
    values: dict[str, str],
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    chosen = party or None
    found = surveys.list_results(db, actor=visitor.actor, party_id=chosen, limit=200)
    trend = surveys.trend(db, actor=visitor.actor, party_id=chosen, per="month", count=12)
    t = translator(language(request))
    chart = charts.line_chart(
        [s.period for s in trend],
        [charts.Series(t.gettext("Mean score"), [s.mean for s in trend])],
        title=t.gettext("Satisfaction, last 12 months"),
        share=_share(request),
    )
    customers = parties.list_parties(db, actor=visitor.actor, kind="customer", limit=500).items
    services = catalog.list_services(db, actor=visitor.actor, limit=500).items
    return render(
        request,
        "improvement/surveys.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        results=found,
        trend=trend,
        chart=chart,
        customers=customers,
        names={p.id: p.name for p in customers},
        services=services,
        party=party,
        is_low=surveys.is_low,
        values=values,
        errors=errors,
        status=code,
    )


class SurveyForm(BaseModel):
    customer_id: int = Field(default=0, ge=0, le=BIG)
    service_id: int = Field(default=0, ge=0, le=BIG)
    answered_on: str = ""
    score: str = ""
    scale: str = "5"
    respondent: str = ""
    comments: str = ""
    csrf: str = ""


def _answer(form: SurveyForm) -> surveys.Answer:
    answered = day(form.answered_on, "answered_on")
    if answered is None:
        raise Invalid("when was the survey answered?", "answered_on")
    try:
        score, scale = float(form.score), int(form.scale or 5)
    except ValueError:
        raise Invalid("the score and the scale are numbers", "score") from None
    return surveys.Answer(
        form.customer_id,
        answered,
        score,
        scale,
        form.service_id or None,
        form.respondent,
        form.comments,
    )


@router.post("/surveys")
def record_survey(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[SurveyForm, Form()]
) -> Response:
    values = {k: str(v) for k, v in form.model_dump(exclude={"csrf"}).items()}
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: surveys.record(db, actor=visitor.actor, answer=_answer(form)),
        then="/surveys",
        failed=lambda e, c: _surveys(
            request, visitor, db, 0, values, {getattr(e, "field", None) or "form": e}, c
        ),
    )


class ImportForm(BaseModel):
    csv: str = ""
    csrf: str = ""


@router.post("/surveys/import")
def import_surveys(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[ImportForm, Form()]
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: surveys.import_csv(db, actor=visitor.actor, text=form.csv),
        then="/surveys",
        failed=lambda e, c: _surveys(request, visitor, db, 0, {"csv": form.csv}, {"csv": e}, c),
    )


class ProposalForm(BaseModel):
    code: str = ""
    csrf: str = ""


@router.post("/surveys/{survey_id}/proposal")
def propose(
    request: Request,
    survey_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[ProposalForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: improvement_plans.propose_from_survey(
            db, actor=visitor.actor, survey_id=survey_id, code=form.code
        ),
        then=lambda p: f"/improvement-plans/{p.id}",
        failed=lambda e, c: _surveys(request, visitor, db, 0, {}, {f"survey-{survey_id}": e}, c),
    )
