"""Agreement pages: the list and the portfolio, drafting from a document, an agreement with
its versions, the progress of its recomputation and its document."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.reports.pdf import pdf_of
from servicelevel.services.agreements import authoring, documents
from servicelevel.services.agreements import diff as agreement_diff
from servicelevel.services.agreements import forms as agreement_forms
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.agreements.file_checks import document_from_text
from servicelevel.services.identity.permissions import allowed
from servicelevel.services.monitoring import live, recompute, tickets
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.workspace import agreement_page as agreement_views
from servicelevel.services.workspace import portfolio as dashboard
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
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


def document_form(
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
    return document_form(request, visitor, {"document": template_now()}, {})


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
        return document_form(request, visitor, values, {"form": "expired"}, 400)
    try:
        made = authoring.create_agreement(
            db,
            actor=visitor.actor,
            document=document_from_text(form.document, actor=visitor.actor),
            note=form.note,
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return document_form(request, visitor, values, {"document": exc}, exc.status)
    return RedirectResponse(f"/agreements/{made.id}", status_code=303)


@router.get("/agreements/{agreement_id}")
def agreement_detail(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:
    return detail_page(request, agreement_id, visitor, db, version, None)


def detail_page(
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
    now = dt.datetime.now(dt.UTC)
    clocks = live.open_clocks(db, actor=visitor.actor, agreement_id=agreement_id, now=now, limit=20)
    return render(
        request,
        "agreements/detail.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        view=view,
        a=view.agreement,
        v=view.shown,
        clocks=clocks,
        openable=tickets.openable(
            db, actor=visitor.actor, ticket_ids=[c.ticket_id for c in clocks]
        ),
        job=recompute.latest(db, actor=visitor.actor, agreement_id=agreement_id),
        month=dashboard.agreement_month(db, actor=visitor.actor, agreement_id=agreement_id),
        meetings=reviews.list_meetings(
            db, actor=visitor.actor, agreement_id=agreement_id, limit=10
        ).items,
        now=now,
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
