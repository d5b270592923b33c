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
    SettingsIn,
    SettingsOut,
    TokenOut,
    TokenRequest,
)
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity import preferences as user_settings
from servicelevel.services.identity import trail as audit_trail

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


@router.get("/auth/settings", response_model=SettingsOut)
def my_settings(session: SessionDep, actor: ActorDep) -> SettingsOut:
    """The acting user's language and time zone (what the web shows their pages in)."""
    return _settings_out(user_settings.settings_of(session, actor=actor))


@router.put("/auth/settings", response_model=SettingsOut)
def change_my_settings(body: SettingsIn, session: SessionDep, actor: ActorDep) -> SettingsOut:
    """Set the acting user's language and time zone (audited)."""
    saved = user_settings.change_settings(
        session, actor=actor, locale=body.locale, timezone=body.timezone
    )
    commit(session)
    return _settings_out(saved)


def _settings_out(found: user_settings.Settings) -> SettingsOut:
    return SettingsOut(
        locale=found.locale.replace("_", "-"),
        timezone=found.timezone,
        zone_chosen=found.zone_chosen,
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
