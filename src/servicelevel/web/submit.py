"""Handling a posted form in one place: check the CSRF token, call the service, commit — or
roll back and show the page again with the error, so nothing is half-stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from servicelevel.api.deps import commit
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import sessions
from servicelevel.web.deps import Member

Failed = Callable[[object, int], Response]  # the page again, with this error and status


def perform(
    visitor: Member,
    db: Session,
    csrf: str,
    call: Callable[[], Any],
    *,
    then: str | Callable[[Any], str],
    failed: Failed,
) -> Response:
    """Run ``call`` for a posted form; on success go to ``then`` (a URL, or a URL made from
    what ``call`` returned), else show ``failed(error, status)``."""
    if not sessions.csrf_ok(visitor.session, csrf):
        return failed("expired", 400)
    try:
        result = call()
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return failed(exc, exc.status)
    return RedirectResponse(then(result) if callable(then) else then, status_code=303)
