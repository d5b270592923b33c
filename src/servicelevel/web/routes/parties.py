"""Parties: list (with live search), detail, and the form to add one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/parties")


@router.get("")
def party_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    q: Annotated[str, Query(max_length=200)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    page = parties.list_parties(
        db,
        actor=visitor.actor,
        search=q or None,
        kind=kind if kind in parties.KINDS else None,
        limit=200,
    )
    template = "parties/rows.html" if request.headers.get("hx-request") else "parties/list.html"
    return render(
        request,
        template,
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        q=q,
        kind=kind,
        kinds=parties.KINDS,
    )


@router.get("/new")
def party_new(request: Request, visitor: UserDep) -> Response:
    return _form(request, visitor, {}, {})


def _form(
    request: Request,
    visitor: UserDep,
    values: dict[str, str],
    errors: dict[str, object],
    status: int = 200,
    party_id: int | None = None,
) -> Response:
    return render(
        request,
        "parties/form.html",
        party_id=party_id,
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        values=values,
        errors=errors,
        kinds=parties.KINDS,
        status=status,
    )


class PartyForm(BaseModel):
    """The fields of the add and edit forms, as typed (kept to show them again on an error)."""

    code: str = ""
    kind: str = ""
    name: str = ""
    name_zh_hans: str = ""
    name_zh_hant: str = ""
    description: str = ""
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""

    def values(self) -> dict[str, str]:
        return {k: str(v) for k, v in self.model_dump(exclude={"csrf"}).items()}

    def data(self) -> parties.PartyData:
        names = {
            k: v for k, v in (("zh-Hans", self.name_zh_hans), ("zh-Hant", self.name_zh_hant)) if v
        }
        return parties.PartyData(self.code, self.kind, self.name, names, self.description)


FormDep = Annotated[PartyForm, Form()]


@router.post("/new")
def party_create(request: Request, visitor: UserDep, db: SessionDep, form: FormDep) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _form(request, visitor, form.values(), {"form": "expired"}, 400)
    try:
        party = parties.create_party(db, actor=visitor.actor, data=form.data())
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _form(request, visitor, form.values(), {exc.field or "form": exc}, exc.status)
    return RedirectResponse(f"/parties/{party.id}", status_code=303)


@router.get("/{party_id}")
def party_detail(request: Request, party_id: int, visitor: UserDep, db: SessionDep) -> Response:
    party = parties.get_party(db, actor=visitor.actor, party_id=party_id)
    return render(
        request, "parties/detail.html", actor=visitor.actor, csrf=visitor.session.csrf, party=party
    )


def _values(party: Any) -> dict[str, str]:
    return {
        "code": party.code,
        "kind": party.kind,
        "name": party.name,
        "name_zh_hans": party.names.get("zh-Hans", ""),
        "name_zh_hant": party.names.get("zh-Hant", ""),
        "description": party.description,
        "version": str(party.version),
    }


@router.get("/{party_id}/edit")
def party_edit(request: Request, party_id: int, visitor: UserDep, db: SessionDep) -> Response:
    party = parties.get_party(db, actor=visitor.actor, party_id=party_id)
    return _form(request, visitor, _values(party), {}, party_id=party_id)


@router.post("/{party_id}/edit")
def party_update(
    request: Request, party_id: int, visitor: UserDep, db: SessionDep, form: FormDep
) -> Response:
    values = form.values()
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _form(request, visitor, values, {"form": "expired"}, 400, party_id)
    data = form.data()
    changes = {
        "code": data.code,
        "kind": data.kind,
        "name": data.name,
        "names": data.names,
        "description": data.description,
    }
    try:
        parties.update_party(
            db, actor=visitor.actor, party_id=party_id, version=form.version, changes=changes
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        field = "form" if exc.field in (None, "version") else exc.field
        return _form(request, visitor, values, {field or "form": exc}, exc.status, party_id)
    return RedirectResponse(f"/parties/{party_id}", status_code=303)
