"""An agreement's satisfaction surveys in the browser: the policy saying when its customer is
asked (managers change it), and who was asked, sent, answered — or why a mail failed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import allowed
from servicelevel.services.reviews import invitations as survey_invitations
from servicelevel.services.shared.errors import NotFound
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render
from servicelevel.web.submit import perform

router = APIRouter()


@router.get("/agreements/{agreement_id}/surveys")
def surveys_page(request: Request, agreement_id: int, visitor: UserDep, db: SessionDep) -> Response:
    return _page(request, agreement_id, visitor, db, None, {})


def _page(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    values: dict[str, object] | None,
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    agreement = agreements.get_agreement(db, actor=visitor.actor, agreement_id=agreement_id)
    try:
        policy = survey_invitations.get_policy(db, actor=visitor.actor, agreement_id=agreement.id)
    except NotFound:
        policy = None
    staff = allowed(visitor.actor, "survey.write")
    shown = values or {
        f: getattr(policy or survey_invitations.PolicyData(every="none"), f)
        for f in survey_invitations.POLICY_FIELDS
    }
    found = (
        survey_invitations.invitations(db, actor=visitor.actor, agreement_id=agreement.id)
        if staff
        else []
    )
    return render(
        request,
        "surveys/policy.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        agreement=agreement,
        policy=policy,
        values=shown,
        invitations=found,
        errors=errors,
        status=code,
    )


class PolicyForm(BaseModel):
    every: str = Field(default="none", max_length=10)
    after_tickets: bool = False
    scale: int = Field(default=5, ge=0, le=100)
    expires_days: int = Field(default=14, ge=0, le=1000)
    quiet_days: int = Field(default=30, ge=0, le=10_000)
    language: str = Field(default="en", max_length=10)
    csrf: str = ""


@router.post("/agreements/{agreement_id}/surveys")
def save_policy(
    request: Request,
    agreement_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[PolicyForm, Form()],
) -> Response:
    values = form.model_dump(exclude={"csrf"})
    data = survey_invitations.PolicyData(**values)
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: survey_invitations.set_policy(
            db, actor=visitor.actor, agreement_id=agreement_id, data=data
        ),
        then=f"/agreements/{agreement_id}/surveys",
        failed=lambda e, c: _page(
            request, agreement_id, visitor, db, values, {getattr(e, "field", None) or "form": e}, c
        ),
    )
