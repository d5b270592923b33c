"""/api/v1/reports: service reports — the live figures of a period, and published revisions
(each in three languages) with their files."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.responses import CSV, HTML, JSON, PDF, files
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import LockVersionOut, PageOut, page_of, page_of_list
from servicelevel.api.schemas.reports import ReportFiguresOut
from servicelevel.reports.pdf import pdf_of
from servicelevel.reports.spreadsheets import XLSX, file_of, report_file
from servicelevel.services.reporting import compute as service_reports
from servicelevel.services.reporting import files as report_files
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.services.reporting import snapshots as report_snapshots

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
    figures: dict[str, Any] = Field(
        description="The report's figures model (ReportFiguresOut, with schema "
        "'servicelevel/report-figures/1'); revisions published before it existed keep the "
        "figures as the text they showed."
    )


class RevisionOut(BaseModel):
    period: str
    revision: int
    version_number: int
    note: str
    published_at: dt.datetime
    reports: dict[str, int] = Field(description="Language → report id (en, zh-Hans, zh-Hant).")


Period = Annotated[str, Path(min_length=1, max_length=40, description="2026-03, 2026-Q1, 2026…")]


@router.get(
    "/agreements/{agreement_id}/reports/{period}",
    response_model=ReportFiguresOut,
    responses=files(JSON, CSV, XLSX),
)
def live_figures(
    agreement_id: RecordId,
    period: Period,
    session: SessionDep,
    actor: ActorDep,
    format: Literal["json", "csv", "xlsx"] = "json",
) -> Any:
    """The figures of the period's report as of now — every number the page, PDF, XLSX and
    CSV show (the page and PDF: GET /agreements/{id}/report?period=…)."""
    if format != "json":
        sheet = report_file(
            session, actor=actor, agreement_id=agreement_id, period=period, kind=format
        )
        return Response(sheet.content, media_type=sheet.media_type, headers=sheet.headers)
    figs = service_reports.report_figures(
        session, actor=actor, agreement_id=agreement_id, period=period, now=dt.datetime.now(dt.UTC)
    )
    return ReportFiguresOut.model_validate(figs.as_dict())


@router.get("/agreements/{agreement_id}/report-revisions", response_model=PageOut[RevisionOut])
def list_revisions(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[RevisionOut]:
    """The published revisions of the agreement's reports, newest first, each with its
    report id per language (a customer's representative: their own agreements only)."""
    found = report_snapshots.revisions(session, actor=actor, agreement_id=agreement_id)
    return page_of_list(
        [RevisionOut.model_validate(r, from_attributes=True) for r in found], offset, limit
    )


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


@router.get(
    "/reports/{report_id}",
    response_model=ReportDetailOut,
    responses=files(HTML, PDF, XLSX, CSV),
)
def get_report(
    report_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    format: Literal["json", "html", "pdf", "xlsx", "csv"] = "json",
) -> Any:
    """A published report: its figures (JSON), its rendering as published (HTML, PDF), or its
    figures as a spreadsheet (XLSX) or CSV."""
    if format == "pdf":  # rendered once (by the worker at publication), then from storage
        kept = report_files.published_pdf(session, actor=actor, report_id=report_id, render=pdf_of)
        commit(session)
        return Response(kept.content, media_type="application/pdf")
    found = report_snapshots.get_report(session, actor=actor, report_id=report_id)
    if format == "html":
        return HTMLResponse(found.html)
    if format in ("xlsx", "csv"):
        stem = f"report-{found.agreement_id}-{found.period}-r{found.revision}"
        sheet = file_of(report_snapshots.figures_model(found), stem, format)
        return Response(sheet.content, media_type=sheet.media_type, headers=sheet.headers)
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
