"""Who is signed in, from the session cookie; pages that need a user redirect to the login."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from servicelevel.api.deps import SessionDep
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor
from servicelevel.web import sessions


class NotSignedInError(Exception):
    """Raised by pages that need a user; answered with a redirect to /login."""


@dataclass(frozen=True)
class Visitor:
    actor: Actor | None
    session: sessions.WebSession


def visitor(request: Request, db: SessionDep) -> Visitor:
    """Who is signed in; their saved language becomes the page language unless the language
    cookie says otherwise (see ``pages.language``), their zone the page's (``pages.time_zone``)."""
    web = sessions.read(request)
    if web.user_id is None:
        return Visitor(None, web)
    found = identity.signed_in_user(db, web.user_id, web.generation)
    if found is None:
        return Visitor(None, web)
    request.state.locale, request.state.timezone = found[1], found[2]
    return Visitor(found[0], web)


@dataclass(frozen=True)
class Member:
    """A signed-in visitor."""

    actor: Actor
    session: sessions.WebSession


def signed_in(found: Annotated[Visitor, Depends(visitor)]) -> Member:
    if found.actor is None:
        raise NotSignedInError
    return Member(found.actor, found.session)


VisitorDep = Annotated[Visitor, Depends(visitor)]
UserDep = Annotated[Member, Depends(signed_in)]
