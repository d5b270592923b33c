"""An agreement's buttons: lifecycle steps, signatures (the password asked again), new versions
and renewals, recomputation, termination, underpinning links and negotiation comments. Each
runs one service call; a refusal shows the agreement again with its reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import underpinning
from servicelevel.services.monitoring import recompute
from servicelevel.services.shared.errors import Invalid, ServiceError
from servicelevel.web import flash, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.routes.agreements.pages import detail_page

router = APIRouter()


class ActionForm(BaseModel):
    """One button's form: a lifecycle step, a signature, a new version, a link."""

    step: str = ""
    name: str = ""
    note: str = ""
    reason: str = ""
    supporting_id: int = Field(default=0, ge=0, le=2**63 - 1)
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    password: str = Field(default="", max_length=1024)  # asked again to sign
    csrf: str = ""


ActionDep = Annotated[ActionForm, Form()]


def _act(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionForm,
    number: int | None,
    call: Callable[[], object],
) -> Response:
    """Run one action; a refusal shows the agreement again with the reason."""
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return detail_page(request, agreement_id, visitor, db, number, "expired")
    try:
        call()
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return detail_page(request, agreement_id, visitor, db, number, exc)
    return RedirectResponse(f"/agreements/{agreement_id}", status_code=303)


@router.post("/agreements/{agreement_id}/versions/{number}/steps")
def agreement_step(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionDep,
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        number,
        lambda: agreement_lifecycle.advance(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            number=number,
            version=form.version,
            step=form.step,
        ),
    )


@router.post("/agreements/{agreement_id}/versions/{number}/sign")
def agreement_sign(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionDep,
) -> Response:
    """Sign one version, after the signer has typed their password again (a wrong one is a
    form error and nothing is signed)."""

    def sign() -> object:
        return agreement_lifecycle.sign_with_password(
            db,
            actor=visitor.actor,
            password=form.password,
            agreement_id=agreement_id,
            number=number,
            version=form.version,
            name=form.name,
        )

    response = _act(request, agreement_id, visitor, db, form, number, sign)
    if response.status_code == 303:
        flash.add(request, response, flash.SUCCESS, "Version {number} is signed.", number=number)
    return response


@router.post("/agreements/{agreement_id}/new-version")
def agreement_new_version(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: agreements.new_version(
            db, actor=visitor.actor, agreement_id=agreement_id, version=form.version, note=form.note
        ),
    )


class RenewalForm(BaseModel):
    code: str = ""
    start: str = ""
    end: str = ""
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    csrf: str = ""


@router.post("/agreements/{agreement_id}/renewal")
def agreement_renew(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[RenewalForm, Form()],
) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return detail_page(request, agreement_id, visitor, db, None, "expired")
    try:
        made = agreements.renew(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            version=form.version,
            code=form.code,
            start=_date(form.start, "start"),
            end=_date(form.end, "end"),
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return detail_page(request, agreement_id, visitor, db, None, exc)
    return RedirectResponse(f"/agreements/{made.id}", status_code=303)


def _date(text: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("write the date as YYYY-MM-DD", field) from None


@router.post("/agreements/{agreement_id}/recompute")
def agreement_recompute(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    """Queue a recomputation of the measurements (a worker runs it)."""
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: recompute.request(db, actor=visitor.actor, agreement_id=agreement_id),
    )


@router.post("/agreements/{agreement_id}/terminate")
def agreement_terminate(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: agreement_lifecycle.terminate(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            version=form.version,
            reason=form.reason,
        ),
    )


@router.post("/agreements/{agreement_id}/underpinning")
def agreement_link(
    request: Request, agreement_id: int, visitor: UserDep, db: SessionDep, form: ActionDep
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: underpinning.link(
            db, actor=visitor.actor, sla_id=agreement_id, supporting_id=form.supporting_id
        ),
    )


@router.post("/agreements/{agreement_id}/underpinning/{supporting_id}/remove")
def agreement_unlink(
    request: Request,
    agreement_id: int,
    supporting_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: ActionDep,
) -> Response:
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        form,
        None,
        lambda: underpinning.unlink(
            db, actor=visitor.actor, sla_id=agreement_id, supporting_id=supporting_id
        ),
    )


class CommentForm(BaseModel):
    clause: str = Field(default="", max_length=200)
    body: str = Field(default="", max_length=4000)
    csrf: str = ""


@router.post("/agreements/{agreement_id}/versions/{number}/comments")
def agreement_comment(
    request: Request,
    agreement_id: int,
    number: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[CommentForm, Form()],
) -> Response:
    action = ActionForm(csrf=form.csrf)
    return _act(
        request,
        agreement_id,
        visitor,
        db,
        action,
        number,
        lambda: agreements.add_comment(
            db,
            actor=visitor.actor,
            agreement_id=agreement_id,
            number=number,
            clause=form.clause,
            body=form.body,
        ),
    )
