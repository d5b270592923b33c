"""/api/v1/users: people who sign in, and their roles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset
from servicelevel.api.schemas.common import PageOut
from servicelevel.api.schemas.users import RoleOut, UserIn, UserOut
from servicelevel.services.identity import accounts as identity

router = APIRouter(prefix="/users", tags=["users"])


def _out(view: identity.UserView) -> UserOut:
    return UserOut(
        id=view.id,
        username=view.username,
        display_name=view.display_name,
        email=view.email,
        locale=view.locale,
        is_active=view.is_active,
        roles=[RoleOut(role=r, party_id=p) for r, p in view.roles],
    )


@router.get("", response_model=PageOut[UserOut])
def list_users(
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str | None, Query(max_length=150)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[UserOut]:
    views, total = identity.list_users(session, actor=actor, search=q, offset=offset, limit=limit)
    return PageOut[UserOut](items=[_out(v) for v in views], total=total, offset=offset, limit=limit)


@router.post("", response_model=UserOut, status_code=201)
def create_user(body: UserIn, session: SessionDep, actor: ActorDep) -> UserOut:
    user = identity.create_user(
        session,
        actor=actor,
        username=body.username,
        password=body.password,
        roles=[identity.RoleGrant(r.role, r.party_code) for r in body.roles],
        display_name=body.display_name,
        email=body.email,
        locale=body.locale,
    )
    commit(session)
    views, _ = identity.list_users(session, actor=actor, search=user.username, limit=500)
    return _out(next(v for v in views if v.id == user.id))
