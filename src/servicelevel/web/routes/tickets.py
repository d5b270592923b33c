"""Tickets: the queue (paged, sorted, filtered, with each ticket's clock) and each ticket's
timeline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.services.monitoring import explain, tickets
from servicelevel.services.monitoring import queue as ticket_queue
from servicelevel.services.shared.errors import Invalid, ServiceError
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/tickets")
Text = Annotated[str, Query(max_length=100)]
DEFAULTS = {("sort", "deadline"), ("page", "1")}
PARTS = {"ticket-rows": "tickets/rows.html", "queue": "tickets/queue.html"}


@router.get("")
def ticket_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    customer: Text = "",
    service: Text = "",
    priority: Text = "",
    agreement: Text = "",
    clock: Text = "",
    q: Text = "",
    sort: Text = "deadline",
    page: Text = "1",
) -> Response:
    """The queue; an HTMX request gets only the part it asks for (the rows when the at-risk
    view refreshes itself, the whole queue when a filter changes)."""
    filters = ticket_queue.QueueFilter(
        customer=customer or None,
        service=service or None,
        priority=priority or None,
        agreement=int(agreement) if agreement.isdigit() else None,
        clock=clock or None,
        q=q or None,
    )
    context: dict[str, Any] = {
        "filters": filters,
        "sort": sort,
        "labels": labels,
        "url": lambda **changes: queue_url(filters, {"sort": sort, "page": page} | changes),
    }
    try:
        if agreement and not agreement.isdigit():
            raise Invalid("no agreement {id}", "agreement", id=agreement)
        context["found"] = ticket_queue.queue(
            db,
            actor=visitor.actor,
            filters=filters,
            now=dt.datetime.now(dt.UTC),
            sort=sort,
            page=int(page) if page.isdigit() else 0,
        )
        status = 200
    except ServiceError as exc:
        context["error"], status = exc, exc.status
    target = request.headers.get("hx-target", "") if request.headers.get("hx-request") else ""
    template = PARTS.get(target, "tickets/list.html")
    if template == "tickets/list.html":
        context["choices"] = ticket_queue.choices(db, actor=visitor.actor)
    return render(
        request, template, actor=visitor.actor, csrf=visitor.session.csrf, status=status, **context
    )


def queue_url(filters: ticket_queue.QueueFilter, changes: dict[str, str]) -> str:
    """The queue's address with its filters and ``changes`` (sort, page); defaults are left
    out so that links stay short."""
    params = filters.params() | changes
    kept = {k: v for k, v in params.items() if v and (k, v) not in DEFAULTS}
    return "/tickets" + ("?" + urlencode(kept) if kept else "")


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
