"""/api/v1/reviews: the review register and review meetings (SLM5) — schedule, invite,
refresh the agenda, record minutes or cancel; the register as a workbook or a PDF."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.responses import PDF, files
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut
from servicelevel.api.schemas.reviews import (
    ActionOut,
    CancelIn,
    MeetingDetail,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    MinutesIn,
    ParticipantOut,
    ParticipantsIn,
    VersionIn,
)
from servicelevel.reports import review_register as register_files
from servicelevel.reports.spreadsheets import XLSX
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import register as review_register
from servicelevel.services.reviews.meetings import MeetingData, Minutes, ParticipantData
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
