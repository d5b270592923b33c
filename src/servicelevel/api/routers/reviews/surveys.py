"""/api/v1/surveys and the agreements' survey policies: customer satisfaction (SLM5) — answers
recorded or imported, their trend, a plan proposed from a low score; when each agreement's
customer is asked, and who was."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut, page_of_list
from servicelevel.api.schemas.reviews import (
    PlanFromIn,
    PlanOut,
    SurveyIn,
    SurveyOut,
    TrendOut,
)
from servicelevel.services.reviews import invitations as survey_invitations
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.satisfaction import surveys

router = APIRouter(tags=["reviews"])


@router.get("/surveys", response_model=PageOut[SurveyOut])
def list_surveys(
    session: SessionDep,
    actor: ActorDep,
    party_id: RecordFilter | None = None,
    service_id: RecordFilter | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[SurveyOut]:
    """Survey answers newest first (``until`` exclusive); representatives see their own."""
    page = surveys.list_results(
        session,
        actor=actor,
        party_id=party_id,
        service_id=service_id,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
    items = [_survey(s) for s in page.items]
    return PageOut[SurveyOut](items=items, total=page.total, offset=offset, limit=limit)


@router.post("/surveys", response_model=SurveyOut, status_code=201)
def record_survey(body: SurveyIn, session: SessionDep, actor: ActorDep) -> SurveyOut:
    answer = surveys.Answer(
        body.customer_id,
        body.answered_on,
        body.score,
        body.scale,
        body.service_id,
        body.respondent,
        body.comments,
    )
    result = surveys.record(session, actor=actor, answer=answer)
    commit(session)
    return _survey(result)


def _survey(s: Any) -> SurveyOut:
    return SurveyOut(
        id=s.id,
        customer_id=s.party_id,
        service_id=s.service_id,
        answered_on=s.answered_on,
        score=s.score,
        scale=s.scale,
        respondent=s.respondent,
        comments=s.comments,
        source=s.source,
        low=surveys.is_low(s),
    )


class SurveyImportIn(BaseModel):
    csv: str = Field(max_length=5_000_000)


class SurveyImportOut(BaseModel):
    stored: int
    already: int


@router.post("/surveys/import", response_model=SurveyImportOut)
def import_surveys(body: SurveyImportIn, session: SessionDep, actor: ActorDep) -> SurveyImportOut:
    """CSV (customer, date, score; service, scale, respondent, comments): all or nothing,
    every bad row named; answers already stored are skipped."""
    done = surveys.import_csv(session, actor=actor, text=body.csv)
    commit(session)
    return SurveyImportOut(stored=done.stored, already=done.already)


@router.get("/surveys/trend", response_model=PageOut[TrendOut])
def survey_trend(
    session: SessionDep,
    actor: ActorDep,
    party_id: RecordFilter | None = None,
    service_id: RecordFilter | None = None,
    per: Literal["month", "quarter"] = "month",
    count: Annotated[int, Query(ge=1, le=60)] = 12,
) -> PageOut[TrendOut]:
    """Answers, mean score (a share of the best score) and low scores per period: ``count``
    periods, oldest first."""
    found = surveys.trend(
        session, actor=actor, party_id=party_id, service_id=service_id, per=per, count=count
    )
    rows = [TrendOut.model_validate(s, from_attributes=True) for s in found]
    return page_of_list(rows, 0, count)


@router.post("/surveys/{survey_id}/proposal", response_model=PlanOut, status_code=201)
def propose_plan(
    survey_id: RecordId, body: PlanFromIn, session: SessionDep, actor: ActorDep
) -> PlanOut:
    """A low score raises an improvement plan proposal."""
    plan = improvement_plans.propose_from_survey(
        session, actor=actor, survey_id=survey_id, code=body.code
    )
    commit(session)
    return PlanOut.model_validate(plan)


class SurveyPolicyIn(BaseModel):
    every: Literal["none", "month", "quarter"] = "month"
    after_tickets: bool = False
    scale: int = Field(default=5, ge=2, le=10)
    expires_days: int = Field(default=14, ge=1, le=90)
    quiet_days: int = Field(default=30, ge=0, le=365)
    language: Literal["en", "zh-Hans", "zh-Hant"] = "en"


class SurveyPolicyOut(SurveyPolicyIn):
    agreement_id: int


class InvitationOut(BaseModel):
    id: int
    email: str
    name: str
    period: str
    ticket_id: int | None
    language: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    expires_at: dt.datetime
    answered_at: dt.datetime | None
    survey_id: int | None
    error: str


@router.put("/agreements/{agreement_id}/survey-policy", response_model=SurveyPolicyOut)
def set_survey_policy(
    agreement_id: RecordId, body: SurveyPolicyIn, session: SessionDep, actor: ActorDep
) -> SurveyPolicyOut:
    """When the agreement's customer is asked how satisfied they are: after each month or
    quarter (its contacts and representatives), after resolved tickets (the requester, at
    most once per ``quiet_days``); the worker sends the invitations."""
    data = survey_invitations.PolicyData(**body.model_dump())
    policy = survey_invitations.set_policy(
        session, actor=actor, agreement_id=agreement_id, data=data
    )
    commit(session)
    return _policy(policy)


def _policy(policy: Any) -> SurveyPolicyOut:
    fields = ("every", "after_tickets", "scale", "expires_days", "quiet_days", "language")
    return SurveyPolicyOut(
        agreement_id=policy.agreement_id, **{f: getattr(policy, f) for f in fields}
    )


@router.get("/agreements/{agreement_id}/survey-policy", response_model=SurveyPolicyOut)
def get_survey_policy(
    agreement_id: RecordId, session: SessionDep, actor: ActorDep
) -> SurveyPolicyOut:
    """The agreement's survey policy (404 when none is set: nobody is asked)."""
    policy = survey_invitations.get_policy(session, actor=actor, agreement_id=agreement_id)
    return _policy(policy)


@router.get("/agreements/{agreement_id}/survey-invitations", response_model=PageOut[InvitationOut])
def list_survey_invitations(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[InvitationOut]:
    """Who was asked, newest first: sent, answered, or why the mail failed (staff)."""
    found = survey_invitations.invitations(session, actor=actor, agreement_id=agreement_id)
    items = [InvitationOut.model_validate(i, from_attributes=True) for i in found]
    return page_of_list(items, offset, limit)
