"""Sign in, sign out, choose a language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from servicelevel.api.deps import SessionDep, commit
from servicelevel.i18n import LOCALES
from servicelevel.services.identity import accounts as identity
from servicelevel.services.shared.errors import ServiceError, Unauthenticated
from servicelevel.web import sessions
from servicelevel.web.deps import UserDep, VisitorDep
from servicelevel.web.pages import LANG_COOKIE, render

router = APIRouter()


@router.get("/login")
def login_form(request: Request, visitor: VisitorDep) -> Response:
    if visitor.actor is not None:
        return RedirectResponse("/", status_code=303)
    web = sessions.fresh(None)
    response = render(request, "login.html", csrf=web.csrf)
    sessions.write(request, response, web)
    return response


@router.post("/login")
def login(
    request: Request,
    visitor: VisitorDep,
    db: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    if not sessions.csrf_ok(visitor.session, csrf):
        return _login_error(request, "The form expired; please sign in again.", username)
    try:
        actor = identity.authenticate(db, username=username, password=password)
    except Unauthenticated as exc:
        return _login_error(request, exc, username)  # the failure is counted already
    generation = identity.session_generation(db, actor.user_id or -1)
    commit(db)
    response = RedirectResponse("/", status_code=303)
    sessions.write(request, response, sessions.fresh(actor.user_id, generation))
    return response


def _login_error(request: Request, message: str | ServiceError, username: str) -> Response:
    web = sessions.fresh(None)
    response = render(
        request, "login.html", csrf=web.csrf, error=message, username=username, status=401
    )
    sessions.write(request, response, web)
    return response


@router.post("/logout")
def logout(visitor: UserDep, db: SessionDep, csrf: Annotated[str, Form()] = "") -> Response:
    """Sign out: the user's sessions end on the server (a copy of the cookie is worthless),
    in this browser and any other."""
    response = RedirectResponse("/login", status_code=303)
    if sessions.csrf_ok(visitor.session, csrf):
        identity.end_sessions(db, actor=visitor.actor)
        commit(db)
        response.delete_cookie(sessions.COOKIE)
    return response


@router.get("/language/{code}")
def choose_language(code: str, request: Request) -> Response:
    back = request.headers.get("referer") or "/"
    response = RedirectResponse(back if back.startswith(str(request.base_url)) else "/", 303)
    if code in LOCALES:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="lax")
    return response
