"""/api/v1/reviews, /improvement-plans, /actions and /surveys: the review register, service
improvement plans with their actions, and customer satisfaction (SLM5)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.responses import PDF, files
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut, page_of_list
from servicelevel.api.schemas.reviews import (
    ActionIn,
    ActionOut,
    ActionPatch,
    CancelIn,
    EffectOut,
    GoalOut,
    MeetingDetail,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    MinutesIn,
    ParticipantOut,
    ParticipantsIn,
    PlanDetail,
    PlanFromIn,
    PlanIn,
    PlanOut,
    StepIn,
    SurveyIn,
    SurveyOut,
    TrendOut,
    VersionIn,
)
from servicelevel.reports import review_register as register_files
from servicelevel.reports.spreadsheets import XLSX
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import invitations as survey_invitations
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews import register as review_register
from servicelevel.services.reviews.actions import ActionData
from servicelevel.services.reviews.meetings import MeetingData, Minutes, ParticipantData
from servicelevel.services.reviews.plans import Goal, PlanData
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared import validation

router = APIRouter(tags=["reviews"])


def _meeting(meeting: Any, now: dt.datetime) -> MeetingOut:
    out = MeetingOut.model_validate(meeting)
    out.overdue = reviews.is_overdue(meeting, now)
    return out


@router.get("/reviews", response_model=PageOut[MeetingOut])
def list_reviews(
    session: SessionDep,
    actor: ActorDep,
    agreement_id: RecordFilter | None = None,
    status: Literal["scheduled", "held", "cancelled"] | None = None,
    overdue: bool = False,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[MeetingOut]:
    """The review register, newest first (``overdue``: only meetings past their date)."""
    now = dt.datetime.now(dt.UTC)
    page = reviews.list_meetings(
        session,
        actor=actor,
        agreement_id=agreement_id,
        status=status,
        overdue=overdue,
        now=now,
        offset=offset,
        limit=limit,
    )
    items = [_meeting(m, now) for m in page.items]
    return PageOut[MeetingOut](items=items, total=page.total, offset=offset, limit=limit)


@router.post("/reviews", response_model=MeetingOut, status_code=201)
def create_review(body: MeetingIn, session: SessionDep, actor: ActorDep) -> MeetingOut:
    """Schedule a review by hand; without a period, the agreement's next one is taken."""
    data = MeetingData(
        body.scheduled_at, body.period_start, body.period_end, body.chair_id, body.location
    )
    meeting = reviews.create_meeting(
        session, actor=actor, agreement_id=body.agreement_id, data=data
    )
    commit(session)
    return _meeting(meeting, dt.datetime.now(dt.UTC))


@router.post("/reviews/schedule", response_model=list[MeetingOut])
def schedule_reviews(session: SessionDep, actor: ActorDep) -> list[MeetingOut]:
    """Schedule the next review of every agreement in force that has none (the worker does
    this daily); returns the meetings added."""
    now = dt.datetime.now(dt.UTC)
    made = reviews.schedule_due(session, actor=actor, now=now)
    commit(session)
    return [_meeting(m, now) for m in made]


@router.get("/reviews/register", responses=files(XLSX, PDF))
def export_register(
    session: SessionDep,
    actor: ActorDep,
    format: Literal["xlsx", "pdf"] = "xlsx",
    language: Literal["en", "zh-Hans", "zh-Hant"] = "en",
    timezone: Annotated[str, Query(max_length=64)] = "UTC",
    agreement_id: RecordFilter | None = None,
) -> Response:
    """The register as a workbook or a PDF, in the language and time zone asked for."""
    zone = validation.time_zone(timezone)
    rows = review_register.register(
        session, actor=actor, agreement_id=agreement_id, language=language
    )
    locale = language.replace("-", "_")
    if format == "pdf":
        return Response(register_files.pdf_bytes(rows, locale, zone), media_type="application/pdf")
    headers = {"Content-Disposition": 'attachment; filename="review-register.xlsx"'}
    return Response(register_files.xlsx_of(rows, locale, zone), media_type=XLSX, headers=headers)


@router.get("/reviews/{meeting_id}", response_model=MeetingDetail)
def get_review(meeting_id: RecordId, session: SessionDep, actor: ActorDep) -> MeetingDetail:
    """A meeting with its agenda, participants, minutes and actions."""
    meeting = reviews.get_meeting(session, actor=actor, meeting_id=meeting_id)
    return _detail(session, actor, meeting)


def _detail(session: SessionDep, actor: ActorDep, meeting: Any) -> MeetingDetail:
    people = reviews.participants(session, actor=actor, meeting_id=meeting.id)
    found = review_actions.actions(session, meeting_ids=[meeting.id])
    head = _meeting(meeting, dt.datetime.now(dt.UTC)).model_dump()
    return MeetingDetail(
        **head,
        agenda=meeting.agenda,
        minutes=meeting.minutes,
        decisions=list(meeting.decisions.get("items", [])),
        note=meeting.note,
        participants=[ParticipantOut.model_validate(p) for p in people],
        actions=[ActionOut.model_validate(a) for a in found],
    )


@router.patch("/reviews/{meeting_id}", response_model=MeetingDetail)
def update_review(
    meeting_id: RecordId, body: MeetingPatch, session: SessionDep, actor: ActorDep
) -> MeetingDetail:
    """Move a scheduled meeting, or change its chair or place."""
    data = MeetingData(body.scheduled_at, None, None, body.chair_id, body.location)
    meeting = reviews.update_meeting(
        session, actor=actor, meeting_id=meeting_id, version=body.lock_version, data=data
    )
    commit(session)
    return _detail(session, actor, meeting)


@router.put("/reviews/{meeting_id}/participants", response_model=MeetingDetail)
def set_participants(
    meeting_id: RecordId, body: ParticipantsIn, session: SessionDep, actor: ActorDep
) -> MeetingDetail:
    """Replace who is invited, by role, and (after the meeting) who attended."""
    people = [
        ParticipantData(p.role, p.name, p.user_id, p.party_id, p.attended)
        for p in body.participants
    ]
    reviews.set_participants(
        session, actor=actor, meeting_id=meeting_id, version=body.lock_version, people=people
    )
    commit(session)
    return _detail(session, actor, reviews.get_meeting(session, actor=actor, meeting_id=meeting_id))


@router.post("/reviews/{meeting_id}/agenda", response_model=MeetingDetail)
def refresh_agenda(
    meeting_id: RecordId, body: VersionIn, session: SessionDep, actor: ActorDep
) -> MeetingDetail:
    """Fill the agenda again from the data as it is now (until the meeting is held)."""
    meeting = reviews.refresh_agenda(
        session, actor=actor, meeting_id=meeting_id, version=body.lock_version
    )
    commit(session)
    return _detail(session, actor, meeting)


@router.post("/reviews/{meeting_id}/minutes", response_model=MeetingDetail)
def record_minutes(
    meeting_id: RecordId, body: MinutesIn, session: SessionDep, actor: ActorDep
) -> MeetingDetail:
    """The meeting was held: minutes, decisions, outcome. The agenda is frozen and the next
    review scheduled."""
    meeting = reviews.record_minutes(
        session,
        actor=actor,
        meeting_id=meeting_id,
        version=body.lock_version,
        record=Minutes(body.minutes, body.decisions, body.outcome),
    )
    commit(session)
    return _detail(session, actor, meeting)


@router.post("/reviews/{meeting_id}/cancel", response_model=MeetingDetail)
def cancel_review(
    meeting_id: RecordId, body: CancelIn, session: SessionDep, actor: ActorDep
) -> MeetingDetail:
    meeting = reviews.cancel(
        session, actor=actor, meeting_id=meeting_id, version=body.lock_version, reason=body.reason
    )
    commit(session)
    return _detail(session, actor, meeting)


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
