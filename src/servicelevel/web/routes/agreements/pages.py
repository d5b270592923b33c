"""Agreements: list, portfolio, drafting from a document, the agreement page with its
lifecycle steps and signatures, comments and underpinning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.reports.pdf import pdf_of
from servicelevel.reports.spreadsheets import file_of, report_file
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.agreements import diff as agreement_diff
from servicelevel.services.agreements import documents, underpinning
from servicelevel.services.agreements import forms as agreement_forms
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.agreements.files import document_from_text
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import allowed
from servicelevel.services.monitoring import live, recompute
from servicelevel.services.reporting import compute as service_reports
from servicelevel.services.reporting import files as report_files
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.shared.errors import Invalid, ServiceError
from servicelevel.services.workspace import agreement_page as agreement_views
from servicelevel.services.workspace import portfolio as dashboard
from servicelevel.web import flash, labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.downloads import pdf_response
from servicelevel.web.pages import language, render

router = APIRouter()
TEMPLATE = """id: SLA-{year}-001
kind: SLA
title: {{en: E-mail for Contoso, zh-Hans: Contoso 邮件服务, zh-Hant: Contoso 郵件服務}}
provider: Acme IT
customer: CONTOSO
services: [email]
term: {{start: {start}, end: {end}}}
review: quarterly
calendars: {{business: beijing-office, always: 24x7}}
clocks:
  resolution:
    pause: {{states: [Awaiting Customer]}}
    stop: {{states: [Resolved, Closed]}}
targets:
  - {{id: P1-resolution, clock: resolution, when: {{priority: P1}}, within: 4h,
     calendar: always, objective: 95%, warnings: [75%]}}
availability:
  - {{id: email-availability, service: email, calendar: always, objective: 99.9%}}
credits:
  - {{id: email-credit, target: email-availability, cap: 10%,
     tiers: [{{below: 99.9%, credit: 5%}}]}}
"""


@router.get("/agreements")
def agreement_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=3)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    page = agreements.list_agreements(
        db,
        actor=visitor.actor,
        search=q or None,
        kind=kind if kind in agreements.KINDS else None,
        status=status if status in agreements.STATES else None,
        limit=500,
    )
    rows = request.headers.get("hx-request")
    return render(
        request,
        "agreements/rows.html" if rows else "agreements/list.html",
        rows=page.items,
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        q=q,
        kind=kind,
        state=status,
        labels=labels,
    )


@router.get("/portfolio")
def portfolio(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    customer_id: Annotated[str, Query(max_length=20)] = "",
    service_id: Annotated[str, Query(max_length=20)] = "",
    manager_id: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    found = agreement_views.portfolio(db, actor=visitor.actor)
    chosen = {
        name: int(value) if value.isdigit() else None
        for name, value in (
            ("customer_id", customer_id),
            ("service_id", service_id),
            ("manager_id", manager_id),
        )
    }
    return render(
        request,
        "agreements/portfolio.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        labels=labels,
        health=dashboard.portfolio(
            db,
            actor=visitor.actor,
            customer_id=chosen["customer_id"],
            service_id=chosen["service_id"],
            manager_id=chosen["manager_id"],
        ),
        chosen=chosen,
        choices=agreement_views.portfolio_choices(db, actor=visitor.actor),
        **found,
    )


def _document_form(
    request: Request,
    visitor: UserDep,
    values: dict[str, str],
    errors: dict[str, object],
    status: int = 200,
    action: str = "/agreements/new",
) -> Response:
    return render(
        request,
        "agreements/document_form.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        values=values,
        errors=errors,
        action=action,
        status=status,
    )


@router.get("/agreements/new")
def agreement_new(request: Request, visitor: UserDep) -> Response:
    return _document_form(request, visitor, {"document": template_now()}, {})


def template_now() -> str:
    """The example agreement, its term starting next month (never in the past)."""
    start, end = agreement_forms.default_term("Asia/Shanghai", dt.datetime.now(dt.UTC))
    return TEMPLATE.format(year=start.year, start=start.isoformat(), end=end.isoformat())


class DocumentForm(BaseModel):
    document: str = Field(default="", max_length=200_000)
    note: str = Field(default="", max_length=2000)
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""


@router.post("/agreements/new")
def agreement_create(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[DocumentForm, Form()]
) -> Response:
    values = {"document": form.document, "note": form.note}
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _document_form(request, visitor, values, {"form": "expired"}, 400)
    try:
        made = agreements.create_agreement(
            db,
            actor=visitor.actor,
            document=document_from_text(form.document, actor=visitor.actor),
            note=form.note,
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _document_form(request, visitor, values, {"document": exc}, exc.status)
    return RedirectResponse(f"/agreements/{made.id}", status_code=303)


@router.get("/agreements/{agreement_id}")
def agreement_detail(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    return _detail(request, agreement_id, visitor, db, version, None)


def _detail(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    number: int | None,
    error: ServiceError | str | None,
) -> Response:
    view = agreement_views.describe_agreement(
        db, actor=visitor.actor, agreement_id=agreement_id, number=number
    )
    status = error.status if isinstance(error, ServiceError) else 400 if error else 200
    return render(
        request,
        "agreements/detail.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        view=view,
        a=view.agreement,
        v=view.shown,
        clocks=live.open_clocks(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            now=dt.datetime.now(dt.UTC),
            limit=20,
        ),
        job=recompute.latest(db, actor=visitor.actor, agreement_id=agreement_id),
        month=dashboard.agreement_month(db, actor=visitor.actor, agreement_id=agreement_id),
        meetings=reviews.list_meetings(
            db, actor=visitor.actor, agreement_id=agreement_id, limit=10
        ).items,
        now=dt.datetime.now(dt.UTC),
        is_overdue=reviews.is_overdue,
        period_label=lambda m: reviews.period_label(m, language(request)),
        agreement_id=agreement_id,
        labels=labels,
        error=error,
        status=status,
        **_comment_context(request, visitor, db, view),
    )


def _comment_context(
    request: Request, visitor: UserDep, db: SessionDep, view: agreement_views.AgreementView
) -> dict[str, Any]:
    """The clauses a comment on the shown version may be about, and the labels of the
    comments' clauses, in the page's language."""
    locale = language(request)
    shown = view.shown
    choices = (
        agreement_diff.version_clauses(
            db,
            actor=visitor.actor,
            agreement_id=view.agreement.id,
            number=shown.number,
            locale=locale,
        )
        if shown is not None
        and shown.state in ("draft", "proposed", "approved")
        and allowed(visitor.actor, "agreement.comment")
        else []
    )
    labelled = (
        agreement_diff.comment_labels(
            db, actor=visitor.actor, agreement_id=view.agreement.id, locale=locale
        )
        if view.comments
        else {}
    )
    return {"clauses": choices, "clause_labels": labelled}


@router.get("/agreements/{agreement_id}/job")
def agreement_job(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    """The newest recomputation's progress (the page polls it while the job runs)."""
    job = recompute.latest(db, actor=visitor.actor, agreement_id=agreement_id)
    return render(
        request,
        "agreements/job.html",
        actor=visitor.actor,
        job=job,
        agreement_id=agreement_id,
        labels=labels,
    )


class ActionForm(BaseModel):
    """One button's form: a lifecycle step, a signature, a new version, a link."""

    step: str = ""
    name: str = ""
    note: str = ""
    reason: str = ""
    supporting_id: int = Field(default=0, ge=0, le=2**63 - 1)
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    password: str = Field(default="", max_length=1024)  # asked again to sign
    csrf: str = ""


ActionDep = Annotated[ActionForm, Form()]


def _act(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionForm,
    number: int | None,
    call: Callable[[], object],
) -> Response:
    """Run one action; a refusal shows the agreement again with the reason."""
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _detail(request, agreement_id, visitor, db, number, "expired")
    try:
        call()
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _detail(request, agreement_id, visitor, db, number, exc)
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)


@router.post("/agreements/{agreement_id}/versions/{number}/steps")
def agreement_step(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionDep,
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        number,
        lambda: agreement_lifecycle.advance(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            number=number,
            version=form.version,
            step=form.step,
        ),
    )


@router.post("/agreements/{agreement_id}/versions/{number}/sign")
def agreement_sign(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionDep,
) -> Response:
    """Sign one version, after the signer has typed their password again (a wrong one is a
    form error and nothing is signed)."""

    def sign() -> object:
        identity.confirm_password(db, actor=visitor.actor, password=form.password)
        return agreement_lifecycle.sign(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            number=number,
            version=form.version,
            name=form.name,
        )

    response = _act(request, agreement_id, visitor, db, form, number, sign)
    if response.status_code == 303:
        flash.add(request, response, flash.SUCCESS, "Version {number} is signed.", number=number)
    return response


@router.post("/agreements/{agreement_id}/new-version")
def agreement_new_version(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: agreements.new_version(
            db, actor=visitor.actor, agreement_id=agreement_id, version=form.version, note=form.note
        ),
    )


class RenewalForm(BaseModel):
    code: str = ""
    start: str = ""
    end: str = ""
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""


@router.post("/agreements/{agreement_id}/renewal")
def agreement_renew(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[RenewalForm, Form()],
) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _detail(request, agreement_id, visitor, db, None, "expired")
    try:
        made = agreements.renew(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            version=form.version,
            code=form.code,
            start=_date(form.start, "start"),
            end=_date(form.end, "end"),
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _detail(request, agreement_id, visitor, db, None, exc)
    return RedirectResponse(f"/agreements/{made.id}", status_code=303)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("write the date as YYYY-MM-DD", field) from None


@router.post("/agreements/{agreement_id}/recompute")
def agreement_recompute(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    """Queue a recomputation of the measurements (a worker runs it)."""
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: recompute.request(db, actor=visitor.actor, agreement_id=agreement_id),
    )


@router.post("/agreements/{agreement_id}/terminate")
def agreement_terminate(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: agreement_lifecycle.terminate(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            version=form.version,
            reason=form.reason,
        ),
    )


@router.post("/agreements/{agreement_id}/underpinning")
def agreement_link(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: underpinning.link(
            db, actor=visitor.actor, sla_id=agreement_id, supporting_id=form.supporting_id
        ),
    )


@router.post("/agreements/{agreement_id}/underpinning/{supporting_id}/remove")
def agreement_unlink(
    request: Request,
    agreement_id: int,
    supporting_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionDep,
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: underpinning.unlink(
            db, actor=visitor.actor, sla_id=agreement_id, supporting_id=supporting_id
        ),
    )


class CommentForm(BaseModel):
    clause: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=4000)
    csrf: str = ""


@router.post("/agreements/{agreement_id}/versions/{number}/comments")
def agreement_comment(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[CommentForm, Form()],
) -> Response:
    action = ActionForm(csrf=form.csrf)
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        action,
        number,
        lambda: agreements.add_comment(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            number=number,
            clause=form.clause,
            body=form.body,
        ),
    )


@router.get("/agreements/{agreement_id}/versions/{number}/edit")
def version_edit(
    request: Request, agreement_id: int, number: int, visitor: UserDep, db: SessionDep
) -> Response:
    agreement, found = agreements.get_version(
        db, actor=visitor.actor, agreement_id=agreement_id, number=number
    )
    text = as_yaml(agreements.document_for(db, agreement, found))
    values = {"document": text, "note": found.note, "version": str(found.version)}
    action = f"/agreements/{agreement_id}/versions/{number}/edit"
    return _document_form(request, visitor, values, {}, action=action)


@router.post("/agreements/{agreement_id}/versions/{number}/edit")
def version_save(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[DocumentForm, Form()],
) -> Response:
    values = {"document": form.document, "note": form.note, "version": str(form.version)}
    action = f"/agreements/{agreement_id}/versions/{number}/edit"
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _document_form(request, visitor, values, {"form": "expired"}, 400, action)
    try:
        agreements.edit_version(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            number=number,
            version=form.version,
            document=document_from_text(form.document, actor=visitor.actor),
            note=form.note,
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        field = "form" if exc.field in ("version", "state") else "document"
        return _document_form(request, visitor, values, {field: exc}, exc.status, action)
    return RedirectResponse(f"/agreements/{agreement_id}?version={number}", status_code=303)


@router.get("/agreements/{agreement_id}/diff")
def version_diff(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    old: Annotated[int, Query(ge=1, le=2**31 - 1)] = 1,
    new: Annotated[int, Query(ge=1, le=2**31 - 1)] = 1,
) -> Response:
    found = agreement_diff.diff_versions(
        db,
        actor=visitor.actor,
        agreement_id=agreement_id,
        old=old,
        new=new,
        locale=language(request),
    )
    agreement = agreements.get_agreement(db, actor=visitor.actor, agreement_id=agreement_id)
    return render(
        request,
        "agreements/diff.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        a=agreement,
        diff=found,
        as_yaml=as_yaml,
        labels=labels,
    )


@router.get("/agreements/{agreement_id}/document")
def agreement_document(
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    number: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    language: Annotated[str, Query(max_length=10)] = "en",
    format: Annotated[str, Query(max_length=5)] = "html",
) -> Response:
    """The agreement as a document (HTML, PDF) or as its file (YAML), for the signed-in user."""
    if format == "yaml":
        text = as_yaml(
            agreements.export_document(
                db, actor=visitor.actor, agreement_id=agreement_id, number=number
            )
        )
        return Response(
            text,
            media_type="application/yaml",
            headers={
                "Content-Disposition": f'attachment; filename="agreement-{agreement_id}.yaml"'
            },
        )
    _, html = documents.render_agreement(
        db, actor=visitor.actor, agreement_id=agreement_id, number=number, language=language
    )
    if format == "pdf":
        return Response(pdf_of(html), media_type="application/pdf")
    return HTMLResponse(html)


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
    _, html = service_reports.render_report(
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
        return _detail(request, agreement_id, visitor, db, None, "expired")
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
        return _detail(request, agreement_id, visitor, db, None, exc)
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
