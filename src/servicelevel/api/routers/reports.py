"""/api/v1/reports: published service reports (snapshots, by revision)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.responses import HTML, PDF, files
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import LockVersionOut, PageOut, page_of, page_of_list
from servicelevel.reports.pdf import pdf_of
from servicelevel.services import report_schedules, report_snapshots

router = APIRouter(tags=["reports"])


class PublishIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    period: str = Field(min_length=1, max_length=40, description="2026-03, 2026-Q1, 2026…")
    language: Literal["en", "zh-Hans", "zh-Hant"] = "en"
    note: str = Field(default="", max_length=2000)


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    agreement_id: int
    period: str
    language: str
    revision: int
    version_number: int
    note: str
    published_at: dt.datetime
    published_by_id: int | None


class ReportDetailOut(ReportOut):
    figures: dict[str, Any]


@router.post("/agreements/{agreement_id}/reports", response_model=ReportDetailOut, status_code=201)
def publish(
    agreement_id: RecordId, body: PublishIn, session: SessionDep, actor: ActorDep
) -> ReportDetailOut:
    """Publish the period's report: its figures and rendering are kept as they are now."""
    made = report_snapshots.publish(
        session,
        actor=actor,
        agreement_id=agreement_id,
        period=body.period,
        language=body.language,
        note=body.note,
    )
    commit(session)
    return ReportDetailOut.model_validate(made)


@router.get("/reports", response_model=PageOut[ReportOut])
def list_reports(
    session: SessionDep,
    actor: ActorDep,
    agreement_id: RecordFilter | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[ReportOut]:
    page = report_snapshots.list_reports(
        session, actor=actor, agreement_id=agreement_id, offset=offset, limit=limit
    )
    return page_of(page, ReportOut)


@router.get("/reports/{report_id}", response_model=ReportDetailOut, responses=files(HTML, PDF))
def get_report(
    report_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    format: Literal["json", "html", "pdf"] = "json",
) -> Any:
    """A published report: its figures (JSON), or its rendering as published (HTML, PDF)."""
    found = report_snapshots.get_report(session, actor=actor, report_id=report_id)
    if format == "html":
        return HTMLResponse(found.html)
    if format == "pdf":
        return Response(pdf_of(found.html), media_type="application/pdf")
    return ReportDetailOut.model_validate(found)


class ScheduleIn(BaseModel):
    emails: list[str] = Field(min_length=1, max_length=100)
    language: Literal["en", "zh-Hans", "zh-Hant"] = "en"
    working_day: int = Field(default=3, ge=1, le=20)
    calendar_key: str = Field(default="", max_length=64)
    active: bool = True


class ScheduleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    lock_version: LockVersionOut
    agreement_id: int
    language: str
    working_day: int
    calendar_key: str
    recipients: dict[str, Any]
    next_run_at: dt.datetime
    last_run_at: dt.datetime | None
    active: bool


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    report_id: int | None
    period: str
    status: str
    recipients: dict[str, Any]
    error: str
    attempted_at: dt.datetime


@router.post(
    "/agreements/{agreement_id}/report-schedules", response_model=ScheduleOut, status_code=201
)
def create_schedule(
    agreement_id: RecordId, body: ScheduleIn, session: SessionDep, actor: ActorDep
) -> ScheduleOut:
    """Publish and mail the month before's report on the Nth working day of each month, in
    one of the agreement's calendars (default: its first stored one)."""
    made = report_schedules.create_schedule(
        session,
        actor=actor,
        agreement_id=agreement_id,
        data=report_schedules.ScheduleData(
            emails=body.emails,
            language=body.language,
            working_day=body.working_day,
            calendar_key=body.calendar_key,
            active=body.active,
        ),
    )
    commit(session)
    return ScheduleOut.model_validate(made)


@router.get("/agreements/{agreement_id}/report-schedules", response_model=PageOut[ScheduleOut])
def list_schedules(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[ScheduleOut]:
    found = report_schedules.list_schedules(session, actor=actor, agreement_id=agreement_id)
    return page_of_list([ScheduleOut.model_validate(s) for s in found], offset, limit)


@router.get("/report-schedules/{schedule_id}/deliveries", response_model=PageOut[DeliveryOut])
def list_deliveries(
    schedule_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[DeliveryOut]:
    """Each scheduled run, newest first: the report it published, and whether the mail went
    out (404 for a schedule that does not exist or that you may not see)."""
    found = report_schedules.deliveries(session, actor=actor, schedule_id=schedule_id)
    return page_of_list([DeliveryOut.model_validate(d) for d in found], offset, limit)
