"""Agreements written with forms: a draft's targets and credit clauses as a table
(``/agreements/{id}/versions/{n}/targets``), and a new agreement drafted from a catalog option or
a service level requirement (``/agreements/draft``). The YAML editor stays, as the advanced way."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.agreements import drafts as agreement_drafts
from servicelevel.services.agreements import forms as agreement_forms
from servicelevel.services.agreements.forms import AgreementForm, CreditRow, TargetRow
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import flash, sessions
from servicelevel.web.deps import Member, UserDep
from servicelevel.web.forms import day
from servicelevel.web.pages import language, render, time_zone

router = APIRouter()
MAX_FIELDS = 2000  # 200 rows of seven boxes, and the form's own fields
DRAFT_FIELDS = ("source", "customer_id", "code", "provider", "start", "end")


async def posted(request: Request) -> dict[str, str]:
    """A form's text fields by name (the table's names are made per row: ``targets-0-id``)."""
    form = await request.form(max_fields=MAX_FIELDS)
    return {k: v[:2000] for k, v in form.items() if isinstance(v, str)}


FieldsDep = Annotated[dict[str, str], Depends(posted)]


def _editor(
    request: Request,
    visitor: Member,
    agreement_id: int,
    number: int,
    form: AgreementForm,
    *,
    status: int = 200,
    problem: object = None,
) -> Response:
    if not form.targets or any(vars(form.targets[-1]).values()):
        form.targets.append(TargetRow())  # a spare row to write a new target in
    if not form.credits or any(vars(form.credits[-1]).values()):
        form.credits.append(CreditRow())
    return render(
        request,
        "agreements/editor.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        agreement_id=agreement_id,
        version_number=number,
        form=form,
        priorities=agreement_forms.PRIORITIES,
        problem=problem,
        status=status,
    )


@router.get("/agreements/{agreement_id}/versions/{number}/targets")
def editor(
    request: Request, agreement_id: int, number: int, visitor: UserDep, db: SessionDep
) -> Response:
    """The draft's targets and credit clauses as rows, each field in its own box (a target's
    name in the page's language)."""
    form = agreement_forms.form_for(
        db, actor=visitor.actor, agreement_id=agreement_id, number=number, language=_tag(request)
    )
    return _editor(request, visitor, agreement_id, number, form)


def _tag(request: Request) -> str:
    """The page's language as the documents name it: zh_Hans → zh-Hans."""
    return language(request).replace("_", "-")


def _version(text: str) -> int:
    return int(text) if text.isdigit() and len(text) < 19 else 0


@router.post("/agreements/{agreement_id}/versions/{number}/targets")
def editor_save(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    fields: FieldsDep,
) -> Response:
    """Save the rows (nothing is saved while any field is wrong: each error is shown beside its
    box); "Add a row" shows the table again with one more empty row, saving nothing."""
    form = agreement_forms.form_for(
        db, actor=visitor.actor, agreement_id=agreement_id, number=number, language=_tag(request)
    )
    form.targets, form.credits = agreement_forms.rows_from_fields(fields)
    form.note = fields.get("note", "")
    if not sessions.csrf_ok(visitor.session, fields.get("csrf", "")):
        return _editor(request, visitor, agreement_id, number, form, status=400, problem="expired")
    adding = fields.get("add", "")
    if adding in ("targets", "credits"):
        getattr(form, adding).append(TargetRow() if adding == "targets" else CreditRow())
        return _editor(request, visitor, agreement_id, number, form)
    try:
        saved = agreement_forms.save_form(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            number=number,
            version=_version(fields.get("version", "")),
            targets=form.targets,
            credits=form.credits,
            note=form.note,
            language=_tag(request),
        )
        if saved.errors:
            db.rollback()
            saved.note = form.note
            return _editor(request, visitor, agreement_id, number, saved, status=422)
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _editor(request, visitor, agreement_id, number, form, status=exc.status, problem=exc)
    response = RedirectResponse(f"/agreements/{agreement_id}?version={number}", status_code=303)
    flash.add(
        request,
        response,
        flash.SUCCESS,
        "The targets and credit clauses of version {number} are saved.",
        number=number,
    )
    return response


def _draft_page(
    request: Request,
    visitor: Member,
    db: SessionDep,
    values: dict[str, str],
    errors: dict[str, object],
    status: int = 200,
) -> Response:
    return render(
        request,
        "agreements/draft.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        choices=agreement_drafts.choices(db, actor=visitor.actor),
        values=values,
        errors=errors,
        status=status,
    )


@router.get("/agreements/draft")
def draft_form(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    source: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Start an agreement from an option or a requirement; the term is proposed from the first
    of next month, for a year."""
    start, end = agreement_forms.default_term(time_zone(request), dt.datetime.now(dt.UTC))
    values = {"source": source, "start": start.isoformat(), "end": end.isoformat()}
    return _draft_page(request, visitor, db, values, {})


@router.post("/agreements/draft")
def draft_create(request: Request, visitor: UserDep, db: SessionDep, fields: FieldsDep) -> Response:
    values = {name: fields.get(name, "").strip() for name in DRAFT_FIELDS}
    if not sessions.csrf_ok(visitor.session, fields.get("csrf", "")):
        return _draft_page(request, visitor, db, values, {"form": "expired"}, 400)
    try:
        customer = values["customer_id"]
        made = agreement_drafts.draft(
            db,
            actor=visitor.actor,
            source=values["source"],
            now=dt.datetime.now(dt.UTC),
            customer_id=int(customer) if customer.isdigit() and len(customer) < 19 else None,
            code=values["code"],
            provider=values["provider"],
            start=day(values["start"], "start"),
            end=day(values["end"], "end"),
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        field = {"id": "code"}.get(exc.field or "", exc.field or "form")
        where = field if field in DRAFT_FIELDS else "form"
        return _draft_page(request, visitor, db, values, {where: exc}, exc.status)
    response = RedirectResponse(f"/agreements/{made.id}/versions/1/targets", status_code=303)
    flash.add(
        request,
        response,
        flash.SUCCESS,
        "Agreement {code} is drafted: check its targets and credit clauses.",
        code=made.code,
    )
    return response
