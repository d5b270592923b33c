"""The start page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.services import calendars, catalog, parties, work
from servicelevel.services.permissions import allowed
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter()


@router.get("/")
def home(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    actor = visitor.actor
    counts = {
        "parties": parties.list_parties(db, actor=actor, limit=1).total,
        "calendars": calendars.list_calendars(db, actor=actor, limit=1).total,
        "services": catalog.list_services(db, actor=actor, limit=1).total,
    }
    if allowed(actor, "work.read"):
        counts["work"] = work.list_work(db, actor=actor, status="open", limit=1).total
    return render(request, "home.html", actor=actor, csrf=visitor.session.csrf, counts=counts)
