"""Dependencies: the database session of a request and the actor behind it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from servicelevel.services import identity
from servicelevel.services.errors import Unauthenticated
from servicelevel.services.permissions import Actor

bearer = HTTPBearer(auto_error=False, description="A personal API token: `Bearer slm_…`")


def get_session(request: Request) -> Iterator[Session]:
    """A session for the request; endpoints that change data commit through :func:`commit`."""
    session: Session = request.app.state.sessions()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]


def get_actor(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    if credentials is None:
        raise Unauthenticated("send a personal API token: Authorization: Bearer slm_…")
    actor = identity.actor_for_token(session, credentials.credentials)
    session.commit()  # records last use
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def commit(session: Session) -> None:
    """End the request's unit of work; conflicts surface here as 409 before any reply."""
    session.commit()
