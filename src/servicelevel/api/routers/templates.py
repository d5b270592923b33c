"""/api/v1/templates (document templates) and agreement documents rendered from them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.responses import CSV, HTML, PDF, files
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut, page_of
from servicelevel.api.schemas.templates import (
    Kind,
    Language,
    TemplateIn,
    TemplateOut,
    TemplatePatch,
)
from servicelevel.reports.pdf import pdf_of
from servicelevel.reports.spreadsheets import XLSX, report_file
from servicelevel.services.agreements import documents
from servicelevel.services.catalog import templates
from servicelevel.services.reporting import rendering as report_rendering

router = APIRouter(tags=["templates"])


@router.get("/templates", response_model=PageOut[TemplateOut])
def list_templates(
    session: SessionDep,
    actor: ActorDep,
    kind: Kind | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[TemplateOut]:
    page = templates.list_templates(session, actor=actor, kind=kind, offset=offset, limit=limit)
    return page_of(page, TemplateOut)


@router.post("/templates", response_model=TemplateOut, status_code=201)
def create_template(body: TemplateIn, session: SessionDep, actor: ActorDep) -> TemplateOut:
    made = templates.create_template(session, actor=actor, **body.model_dump())
    commit(session)
    return TemplateOut.model_validate(made)


@router.get("/templates/{template_id}", response_model=TemplateOut)
def get_template(template_id: RecordId, session: SessionDep, actor: ActorDep) -> TemplateOut:
    return TemplateOut.model_validate(
        templates.get_template(session, actor=actor, template_id=template_id)
    )


@router.patch("/templates/{template_id}", response_model=TemplateOut)
def update_template(
    template_id: RecordId, body: TemplatePatch, session: SessionDep, actor: ActorDep
) -> TemplateOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"lock_version"})
    found = templates.update_template(
        session, actor=actor, template_id=template_id, version=body.lock_version, changes=changes
    )
    commit(session)
    return TemplateOut.model_validate(found)


@router.get("/agreements/{agreement_id}/rendering", responses=files(HTML, PDF))
def render_agreement(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    number: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    language: Language = "en",
    template_id: RecordFilter | None = None,
    format: Literal["html", "pdf"] = "html",
) -> Response:
    """An agreement version as a document from its template: HTML or PDF."""
    _title, html = documents.render_agreement(
        session,
        actor=actor,
        agreement_id=agreement_id,
        number=number,
        language=language,
        template_id=template_id,
    )
    if format == "html":
        return HTMLResponse(html)
    return Response(
        pdf_of(html),
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="agreement-{agreement_id}.pdf"'},
    )


@router.get("/agreements/{agreement_id}/report", responses=files(HTML, PDF, XLSX, CSV))
def service_report(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    period: Annotated[str, Query(max_length=40, description="2026-03, 2026-Q1, 2026…")],
    language: Language = "en",
    template_id: RecordFilter | None = None,
    format: Literal["html", "pdf", "xlsx", "csv"] = "html",
) -> Response:
    """The service report of an agreement for a period, from the report template (HTML, PDF),
    or its figures as a spreadsheet (XLSX) or CSV — the same numbers in every rendering."""
    if format in ("xlsx", "csv"):
        sheet = report_file(
            session, actor=actor, agreement_id=agreement_id, period=period, kind=format
        )
        return Response(sheet.content, media_type=sheet.media_type, headers=sheet.headers)
    _title, html = report_rendering.render_report(
        session,
        actor=actor,
        agreement_id=agreement_id,
        period=period,
        language=language,
        template_id=template_id,
    )
    if format == "html":
        return HTMLResponse(html)
    return Response(pdf_of(html), media_type="application/pdf")
