"""Customer satisfaction in the browser (SLM5): survey results entered or imported, their
trend over the last twelve months, and an improvement plan proposed from a low score."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep
from servicelevel.i18n import translator
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.parties import directory as parties
from servicelevel.services.reporting import charts
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Invalid
from servicelevel.web.deps import UserDep
from servicelevel.web.forms import day
from servicelevel.web.pages import language, render
from servicelevel.web.routes.reviews.plans import share_format
from servicelevel.web.submit import perform

router = APIRouter()
BIG = 2**63 - 1


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
        share=share_format(request),
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
