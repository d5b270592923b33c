"""Document templates: the standard SLA, OLA, UC and report documents, edited as Markdown."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.catalog import templates
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/templates")
LANGUAGES = {"en": "English", "zh-Hans": "简体中文", "zh-Hant": "繁體中文"}


@router.get("")
def template_list(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    page = templates.list_templates(db, actor=visitor.actor, limit=500)
    return render(
        request,
        "document_templates/list.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        languages_of=LANGUAGES,
    )


class TemplateForm(BaseModel):
    code: str = ""
    kind: str = ""
    language: str = ""
    name: str = ""
    body: str = Field(default="", max_length=200_000)
    is_default: str = ""
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""


FormDep = Annotated[TemplateForm, Form()]


def _form(
    request: Request,
    visitor: UserDep,
    values: dict[str, Any],
    errors: dict[str, object],
    status: int = 200,
    template_id: int | None = None,
) -> Response:
    return render(
        request,
        "document_templates/form.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        values=values,
        errors=errors,
        status=status,
        template_id=template_id,
        kinds=templates.KINDS,
        languages_of=LANGUAGES,
    )


@router.get("/new")
def template_new(request: Request, visitor: UserDep) -> Response:
    return _form(request, visitor, {"kind": "SLA", "language": "zh-Hans"}, {})


@router.post("/new")
def template_create(request: Request, visitor: UserDep, db: SessionDep, form: FormDep) -> Response:
    values = form.model_dump(exclude={"csrf"})
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _form(request, visitor, values, {"form": "expired"}, 400)
    try:
        made = templates.create_template(
            db,
            actor=visitor.actor,
            code=form.code,
            kind=form.kind,
            language=form.language,
            name=form.name,
            body=form.body or None,
            is_default=bool(form.is_default),
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _form(request, visitor, values, {exc.field or "form": exc}, exc.status)
    return RedirectResponse(f"/templates/{made.id}", status_code=303)


@router.get("/{template_id}")
def template_edit(request: Request, template_id: int, visitor: UserDep, db: SessionDep) -> Response:
    found = templates.get_template(db, actor=visitor.actor, template_id=template_id)
    values = {
        name: getattr(found, name)
        for name in ("code", "kind", "language", "name", "body", "is_default", "version")
    }
    return _form(request, visitor, values, {}, template_id=template_id)


@router.post("/{template_id}")
def template_save(
    request: Request, template_id: int, visitor: UserDep, db: SessionDep, form: FormDep
) -> Response:
    values = form.model_dump(exclude={"csrf"})
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _form(request, visitor, values, {"form": "expired"}, 400, template_id)
    changes = {"name": form.name, "body": form.body, "is_default": bool(form.is_default)}
    try:
        templates.update_template(
            db, actor=visitor.actor, template_id=template_id, version=form.version, changes=changes
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        field = "form" if exc.field in (None, "version") else exc.field
        return _form(request, visitor, values, {field or "form": exc}, exc.status, template_id)
    return RedirectResponse(f"/templates/{template_id}", status_code=303)
