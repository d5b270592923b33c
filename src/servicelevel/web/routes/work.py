"""The service level manager's work list, and recording a material change."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/work")


@router.get("")
def work_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: Annotated[str, Query(max_length=10)] = "open",
) -> Response:
    return _page(request, visitor, db, status, {}, {})


def _page(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: str,
    values: dict[str, str],
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    chosen = status if status in ("open", "done") else None
    page = work.list_work(db, actor=visitor.actor, status=chosen, limit=500)
    services = {s.id: s for s in catalog.list_services(db, actor=visitor.actor, limit=500).items}
    deals = {a.id: a for a in agreements.list_agreements(db, actor=visitor.actor, limit=500).items}
    return render(
        request,
        "work/list.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        settled=work.settled_items(db, page.items),
        services=services,
        deals=deals,
        state=status,
        labels=labels,
        values=values,
        errors=errors,
        status=code,
    )


class DoneForm(BaseModel):
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    note: str = ""
    csrf: str = ""


@router.post("/{item_id}/done")
def work_done(
    request: Request,
    item_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[DoneForm, Form()],
) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _page(request, visitor, db, "open", {}, {"form": "expired"}, 400)
    try:
        work.complete(
            db, actor=visitor.actor, item_id=item_id, version=form.version, note=form.note
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _page(request, visitor, db, "open", {}, {"form": exc}, exc.status)
    return RedirectResponse("/work", status_code=303)


class ChangeForm(BaseModel):
    change: str = ""
    description: str = ""
    csrf: str = ""


@router.post("/changes")
def record_change(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[ChangeForm, Form()]
) -> Response:
    values = {"change": form.change, "description": form.description}
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _page(request, visitor, db, "open", values, {"change": "expired"}, 400)
    try:
        work.record_change(
            db, actor=visitor.actor, change=form.change, description=form.description
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        field = exc.field if exc.field in ("change", "description") else "change"
        return _page(request, visitor, db, "open", values, {field: exc}, exc.status)
    return RedirectResponse("/work", status_code=303)
