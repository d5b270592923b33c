"""The signed-in user's own account: language and time zone, and the password."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep, commit
from servicelevel.i18n import moments
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity import preferences as user_settings
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import LANG_COOKIE, language, render, time_zone

router = APIRouter(prefix="/account")


def _page(
    request: Request, visitor: UserDep, db: SessionDep, status: int = 200, **context: Any
) -> Response:
    """The account page; the zone picker shows the user's zone, or the browser's (a guess for
    them to confirm) while they never chose one."""
    mine = user_settings.settings_of(db, actor=visitor.actor)
    lang = context.pop("lang", None) or language(request)
    context = {"errors": {}, "done": False, "saved": False, **context}
    return render(
        request,
        "account.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        labels=labels,
        status=status,
        lang=lang,
        settings=mine,
        picked=mine.timezone if mine.zone_chosen else time_zone(request),
        zones=moments.zone_choices(lang, dt.datetime.now(dt.UTC)),
        **context,
    )


@router.get("")
def account(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    return _page(request, visitor, db)


@router.post("/settings")
def change_settings(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    locale: Annotated[str, Form()] = "",
    timezone: Annotated[str, Form()] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    """Save the language and zone; the language cookie follows, so the choice shows at once."""
    errors: dict[str, object] = {}
    if not sessions.csrf_ok(visitor.session, csrf):
        errors["settings"] = "expired"
    else:
        try:
            saved = user_settings.change_settings(
                db, actor=visitor.actor, locale=locale, timezone=timezone
            )
            commit(db)
        except ServiceError as exc:
            db.rollback()
            errors[exc.field or "settings"] = exc
    if errors:
        return _page(request, visitor, db, status=422, errors=errors)
    request.state.timezone = saved.timezone
    response = _page(request, visitor, db, saved=True, lang=saved.locale)
    response.set_cookie(LANG_COOKIE, saved.locale, max_age=365 * 86400, samesite="lax")
    return response


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
    response = _page(
        request, visitor, db, status=422 if errors else 200, errors=errors, done=not errors
    )
    if kept is not None:  # every other session has ended; this browser stays signed in
        sessions.write(request, response, kept)
    return response
