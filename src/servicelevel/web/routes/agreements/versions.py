"""A draft version as its document (the advanced view of the form editor) and two versions side
by side."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.agreements import authoring
from servicelevel.services.agreements import diff as agreement_diff
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.agreements.file_checks import document_from_text
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import language, render
from servicelevel.web.routes.agreements.pages import DocumentForm, document_form

router = APIRouter()


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
    return document_form(request, visitor, values, {}, action=action)


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
        return document_form(request, visitor, values, {"form": "expired"}, 400, action)
    try:
        authoring.edit_version(
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
        return document_form(request, visitor, values, {field: exc}, exc.status, action)
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
