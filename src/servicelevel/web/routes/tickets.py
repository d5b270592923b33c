"""Tickets: a filterable list and each ticket's timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.services import explain, tickets
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/tickets")
Text = Annotated[str, Query(max_length=100)]


@router.get("")
def ticket_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    q: Text = "",
    priority: Text = "",
    state: Text = "",
    service: Text = "",
) -> Response:
    page = tickets.list_tickets(
        db,
        actor=visitor.actor,
        search=q or None,
        priority=priority or None,
        state=state or None,
        service=service or None,
        limit=100,
    )
    template = "tickets/rows.html" if request.headers.get("hx-request") else "tickets/list.html"
    return render(
        request,
        template,
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        q=q,
        priority=priority,
        state=state,
        service=service,
    )


@router.get("/{ticket_id}")
def ticket_detail(request: Request, ticket_id: int, visitor: UserDep, db: SessionDep) -> Response:
    ticket, events = tickets.get_ticket(db, actor=visitor.actor, ticket_id=ticket_id)
    return render(
        request,
        "tickets/detail.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        ticket=ticket,
        events=events,
        measurements=tickets.measurements_of(db, actor=visitor.actor, ticket_id=ticket_id),
        explanations=explain.explain_ticket(
            db, actor=visitor.actor, ticket_id=ticket_id, now=dt.datetime.now(dt.UTC)
        ),
        labels=labels,
    )
