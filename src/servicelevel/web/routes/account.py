"""The signed-in user's own account: change the password."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services import identity
from servicelevel.services.errors import ServiceError
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/account")


@router.get("")
def account(request: Request, visitor: UserDep) -> Response:
    return render(
        request,
        "account.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        labels=labels,
        errors={},
        done=False,
    )


@router.post("/password")
def change_password(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    old_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    errors: dict[str, object] = {}
    kept: sessions.WebSession | None = None
    if not sessions.csrf_ok(visitor.session, csrf):
        errors["form"] = "expired"
    elif new_password != confirm:
        errors["confirm"] = "the two new passwords differ"
    else:
        try:
            identity.change_password(db, actor=visitor.actor, old=old_password, new=new_password)
            generation = identity.session_generation(db, visitor.actor.user_id or -1)
            commit(db)
            kept = replace(visitor.session, generation=generation)
        except ServiceError as exc:
            db.rollback()
            errors[exc.field or "form"] = exc
    response = render(
        request,
        "account.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        labels=labels,
        errors=errors,
        done=not errors,
        status=422 if errors else 200,
    )
    if kept is not None:  # every other session has ended; this browser stays signed in
        sessions.write(request, response, kept)
    return response
