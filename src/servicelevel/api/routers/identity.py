"""/api/v1/auth and /api/v1/audit: tokens, the current user, the audit trail."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import AwareInstant, PageOut, page_of
from servicelevel.api.schemas.identity import (
    AuditOut,
    MeOut,
    PasswordChange,
    TokenOut,
    TokenRequest,
)
from servicelevel.services import audit_trail, identity

router = APIRouter(tags=["identity"])


@router.post("/auth/tokens", response_model=TokenOut, status_code=201)
def issue_token(body: TokenRequest, session: SessionDep) -> TokenOut:
    """Exchange a username and password for a personal API token (shown once)."""
    actor = identity.authenticate(session, username=body.username, password=body.password)
    token = identity.issue_token(session, actor=actor, name=body.name, expires_at=body.expires_at)
    commit(session)
    return TokenOut(token=token)


@router.delete("/auth/tokens/{token_id}", status_code=204)
def revoke_token(token_id: RecordId, session: SessionDep, actor: ActorDep) -> Response:
    identity.revoke_token(session, actor=actor, token_id=token_id)
    commit(session)
    return Response(status_code=204)


@router.get("/auth/me", response_model=MeOut)
def me(actor: ActorDep) -> MeOut:
    return MeOut(
        id=actor.user_id,
        username=actor.username,
        roles=sorted(actor.roles),
        parties=sorted(actor.parties),
    )


@router.post("/auth/password", status_code=204)
def change_password(body: PasswordChange, session: SessionDep, actor: ActorDep) -> Response:
    identity.change_password(session, actor=actor, old=body.old_password, new=body.new_password)
    commit(session)
    return Response(status_code=204)


@router.get("/audit", response_model=PageOut[AuditOut])
def audit(
    session: SessionDep,
    actor: ActorDep,
    object_type: Annotated[str | None, Query(max_length=60)] = None,
    object_id: Annotated[str | None, Query(max_length=64)] = None,
    user_id: RecordFilter | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
    since: AwareInstant | None = None,
    until: AwareInstant | None = None,
) -> PageOut[AuditOut]:
    """The audit trail, newest first, by object, by user and/or by period (``since``
    inclusive, ``until`` exclusive). Entries cannot be changed."""
    page = audit_trail.list_audit(
        session,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        actor_id=user_id,
        offset=offset,
        limit=limit,
        since=since,
        until=until,
    )
    return page_of(page, AuditOut)
