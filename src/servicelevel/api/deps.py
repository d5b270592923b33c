"""Dependencies: the database session of a request and the actor behind it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Receive, Scope, Send

from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared.errors import Unauthenticated

bearer = HTTPBearer(auto_error=False, description="A personal API token: `Bearer slm_…`")


async def get_session(request: Request) -> Session:
    """The request's session, opened on first use and closed by :class:`SessionMiddleware`
    after the response; endpoints that change data commit through :func:`commit`.

    (A plain dependency rather than a generator: FastAPI runs a generator's clean-up through
    a one-at-a-time thread hop, which halves throughput under load. ``async`` because making
    a session does no I/O: FastAPI would otherwise hop to a thread just for this.)"""
    session: Session | None = getattr(request.state, "db", None)
    if session is None:
        session = request.app.state.sessions()
        request.state.db = session
    return session


class SessionMiddleware:
    """Close the request's database session, if one was opened, once the response is sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            session = scope.get("state", {}).get("db")
            if session is not None and session.in_transaction():
                await run_in_threadpool(_close, session)  # a rollback: I/O, off the loop
            elif session is not None:
                session.close()  # committed already: nothing to say to the database


def _close(session: Session) -> None:
    session.rollback()
    session.close()


SessionDep = Annotated[Session, Depends(get_session)]


async def get_actor(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    """The token's actor, looked up on every request (in a worker thread: it is I/O), so that
    a revoked token, a changed password or a disabled user counts at once in every server
    process."""
    if credentials is None:
        raise Unauthenticated("send a personal API token: Authorization: Bearer slm_…")
    return await run_in_threadpool(_look_up_actor, session, credentials.credentials)


def _look_up_actor(session: Session, token: str) -> Actor:
    actor = identity.actor_for_token(session, token)
    if session.dirty:
        session.commit()  # records the token's last use (at most once a minute)
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]


def commit(session: Session) -> None:
    """End the request's unit of work; conflicts surface here as 409 before any reply."""
    session.commit()
