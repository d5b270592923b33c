"""Answering a satisfaction survey: by the personal link of an invitation (no sign-in — the
link is the permission; rate-limited per address, the form's size bounded), or signed in, from
the list of one's own surveys to answer. Both store the answer as a survey result."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reviews import invitation_answers
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import sessions, throttle
from servicelevel.web.deps import UserDep, VisitorDep
from servicelevel.web.pages import render
from servicelevel.web.submit import perform

router = APIRouter()
TOKEN = 100  # longest token read (ours are 43 characters)


class AnswerForm(BaseModel):
    score: int = Field(default=0, ge=0, le=100)
    comments: str = Field(default="", max_length=invitation_answers.COMMENTS_LIMIT * 2)
    csrf: str = Field(default="", max_length=200)


def _about(db: SessionDep, invitation: object) -> dict[str, object]:
    """What the form names: the agreement in the invitee's language, the period or ticket."""
    agreement_id = getattr(invitation, "agreement_id", 0)
    agreement = agreements.get_agreement(db, actor=SYSTEM, agreement_id=agreement_id)
    language = str(getattr(invitation, "language", "en"))
    titles = agreement.titles if isinstance(agreement.titles, dict) else {}
    return {
        "code": agreement.code,
        "title": titles.get(language) or agreement.title,
        "period": getattr(invitation, "period", ""),
        "scale": getattr(invitation, "scale", 5),
    }


@router.get("/survey/{token}")
def by_link(request: Request, token: str, visitor: VisitorDep, db: SessionDep) -> Response:
    throttle.check(request)
    invitation = invitation_answers.open_invitation(db, token=token[:TOKEN], now=_now())
    return _form(request, visitor, db, invitation, token, {}, {})


def _form(
    request: Request,
    visitor: VisitorDep,
    db: SessionDep,
    invitation: object,
    token: str,
    values: dict[str, str],
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    web = visitor.session if visitor.session.csrf else sessions.fresh(None)  # a first visit
    response = render(
        request,
        "surveys/answer.html",
        actor=visitor.actor,
        csrf=web.csrf,
        about=_about(db, invitation),
        action=f"/survey/{token}",
        values=values,
        errors=errors,
        status=code,
        lang=_lang(request, invitation),
    )
    if web is not visitor.session:
        sessions.write(request, response, web)
    return response


def _lang(request: Request, invitation: object) -> str | None:
    """The invitation's language unless the reader chose one."""
    if request.cookies.get("slm_lang"):
        return None
    return str(getattr(invitation, "language", "en")).replace("-", "_")


@router.post("/survey/{token}")
def answer_by_link(
    request: Request,
    token: str,
    visitor: VisitorDep,
    db: SessionDep,
    form: Annotated[AnswerForm, Form()],
) -> Response:
    throttle.check(request)
    invitation = invitation_answers.open_invitation(db, token=token[:TOKEN], now=_now())
    values = {"score": str(form.score), "comments": form.comments}
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _form(request, visitor, db, invitation, token, values, {"form": "expired"}, 400)
    try:
        invitation_answers.answer_by_link(
            db, token=token[:TOKEN], reply=invitation_answers.Reply(form.score, form.comments)
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        errors: dict[str, object] = {
            exc.field if exc.field in ("score", "comments") else "form": exc
        }
        return _form(request, visitor, db, invitation, token, values, errors, exc.status)
    return render(
        request, "surveys/thanks.html", actor=visitor.actor, lang=_lang(request, invitation)
    )


@router.get("/my-surveys")
def my_surveys(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    return _mine(request, visitor, db, {})


def _mine(
    request: Request, visitor: UserDep, db: SessionDep, errors: dict[str, object], code: int = 200
) -> Response:
    found = invitation_answers.mine(db, actor=visitor.actor)
    return render(
        request,
        "surveys/mine.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        items=[(i, _about(db, i)) for i in found],
        thanks=request.query_params.get("thanks", "") == "1",
        errors=errors,
        status=code,
    )


@router.post("/my-surveys/{invitation_id}")
def answer_signed_in(
    request: Request,
    invitation_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[AnswerForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: invitation_answers.answer_signed_in(
            db,
            actor=visitor.actor,
            invitation_id=invitation_id,
            reply=invitation_answers.Reply(form.score, form.comments),
        ),
        then="/my-surveys?thanks=1",
        failed=lambda e, c: _mine(request, visitor, db, {str(invitation_id): e}, c),
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
