"""Service reports on the web: the live report of a period (page, PDF as a job, figures as
XLSX, CSV or JSON), publishing it, a published revision as it was, and the list of revisions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from servicelevel.api.deps import SessionDep, commit
from servicelevel.reports.pdf import pdf_of
from servicelevel.reports.spreadsheets import file_of, report_file
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.reporting import files as report_files
from servicelevel.services.reporting import rendering as report_rendering
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.downloads import pdf_response
from servicelevel.web.pages import render
from servicelevel.web.routes.agreements.pages import detail_page

router = APIRouter()


@router.get("/agreements/{agreement_id}/report")
def agreement_report(
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    period: Annotated[str, Query(max_length=40)] = "",
    language: Annotated[str, Query(max_length=10)] = "en",
    format: Annotated[str, Query(max_length=5)] = "html",
) -> Response:
    """The service report for a period, as a page or a PDF, or its figures as XLSX, CSV or
    JSON."""
    if format in ("xlsx", "csv", "json"):
        sheet = report_file(
            db, actor=visitor.actor, agreement_id=agreement_id, period=period, kind=format
        )
        return Response(sheet.content, media_type=sheet.media_type, headers=sheet.headers)
    if format == "pdf":  # seconds of rendering: the worker does it, a page follows it
        job = report_files.request_live(
            db, actor=visitor.actor, agreement_id=agreement_id, period=period, language=language
        )
        commit(db)
        return RedirectResponse(f"/report-pdfs/{job.id}", status_code=303)
    _, html = report_rendering.render_report(
        db, actor=visitor.actor, agreement_id=agreement_id, period=period, language=language
    )
    return HTMLResponse(html)


class PublishForm(BaseModel):
    period: str = ""
    language: str = "en"
    csrf: str = ""


@router.post("/agreements/{agreement_id}/reports")
def agreement_publish(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[PublishForm, Form()],
) -> Response:
    """Publish the period's report (a snapshot); back to the agreement with it listed."""
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return detail_page(request, agreement_id, visitor, db, None, "expired")
    try:
        report_snapshots.publish(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            period=form.period,
            language=form.language,
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return detail_page(request, agreement_id, visitor, db, None, exc)
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)


@router.get("/reports/{report_id}")
def published_report(
    report_id: int,
    visitor: UserDep,
    db: SessionDep,
    format: Annotated[str, Query(max_length=5)] = "html",
) -> Response:
    """A published report exactly as it was published, or the figures it kept as XLSX, CSV
    or JSON."""
    if format == "pdf":  # rendered once, then served from storage
        stored = report_files.published_pdf(
            db, actor=visitor.actor, report_id=report_id, render=pdf_of
        )
        commit(db)
        return pdf_response(stored.content, stored.name)
    found = report_snapshots.get_report(db, actor=visitor.actor, report_id=report_id)
    if format in ("xlsx", "csv", "json"):
        stem = f"report-{found.agreement_id}-{found.period}-r{found.revision}"
        kept = found.figures if format == "json" else report_snapshots.figures_model(found)
        sheet = file_of(kept, stem, format)
        return Response(sheet.content, media_type=sheet.media_type, headers=sheet.headers)
    return HTMLResponse(found.html)


@router.get("/agreements/{agreement_id}/reports")
def report_revisions(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    """The published revisions of the agreement's reports, each in three languages and five
    formats (a customer's representative: their own agreements only)."""
    agreement = agreements.get_agreement(db, actor=visitor.actor, agreement_id=agreement_id)
    found = report_snapshots.revisions(db, actor=visitor.actor, agreement_id=agreement_id)
    return render(
        request,
        "agreements/revisions.html",
        actor=visitor.actor,
        agreement=agreement,
        revisions=found,
        formats=REPORT_FORMATS,
    )


REPORT_FORMATS = (
    ("html", "HTML"),
    ("pdf", "PDF"),
    ("xlsx", "XLSX"),
    ("csv", "CSV"),
    ("json", "JSON"),
)
