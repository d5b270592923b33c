"""Parties: list (with live search), detail, and the form to add one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services import parties
from servicelevel.services.errors import ServiceError
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


@router.post("/new")
def party_create(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    code: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    name_zh_hans: Annotated[str, Form()] = "",
    name_zh_hant: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "code": code,
        "kind": kind,
        "name": name,
        "name_zh_hans": name_zh_hans,
        "name_zh_hant": name_zh_hant,
        "description": description,
    }
    if not sessions.csrf_ok(visitor.session, csrf):
        return _form(request, visitor, values, {"form": "expired"}, 400)
    names = {k: v for k, v in (("zh-Hans", name_zh_hans), ("zh-Hant", name_zh_hant)) if v}
    try:
        party = parties.create_party(
            db,
            actor=visitor.actor,
            data=parties.PartyData(code, kind, name, names, description),
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _form(request, visitor, values, {exc.field or "form": exc}, exc.status)
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
    request: Request,
    party_id: int,
    visitor: UserDep,
    db: SessionDep,
    code: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    name_zh_hans: Annotated[str, Form()] = "",
    name_zh_hant: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    version: Annotated[int, Form(ge=1, le=2**63 - 1)] = 1,
    csrf: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "code": code,
        "kind": kind,
        "name": name,
        "name_zh_hans": name_zh_hans,
        "name_zh_hant": name_zh_hant,
        "description": description,
        "version": str(version),
    }
    if not sessions.csrf_ok(visitor.session, csrf):
        return _form(request, visitor, values, {"form": "expired"}, 400, party_id)
    names = {k: v for k, v in (("zh-Hans", name_zh_hans), ("zh-Hant", name_zh_hant)) if v}
    changes = {"code": code, "kind": kind, "name": name, "names": names, "description": description}
    try:
        parties.update_party(
            db, actor=visitor.actor, party_id=party_id, version=version, changes=changes
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        field = "form" if exc.field in (None, "version") else exc.field
        return _form(request, visitor, values, {field or "form": exc}, exc.status, party_id)
    return RedirectResponse(f"/parties/{party_id}", status_code=303)
