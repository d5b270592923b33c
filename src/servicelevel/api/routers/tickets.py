"""/api/v1/tickets: the tickets targets are measured on, with their event timelines."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from servicelevel.api.deps import ActorDep, SessionDep
from servicelevel.api.routers.paging import BIGINT, Limit, Offset, RecordId
from servicelevel.api.schemas.common import PageOut, page_of
from servicelevel.api.schemas.tickets import TicketDetailOut, TicketEventOut, TicketOut
from servicelevel.services import tickets

router = APIRouter(prefix="/tickets", tags=["tickets"])
Text = Annotated[str | None, Query(max_length=100)]


@router.get("", response_model=PageOut[TicketOut])
def list_tickets(
    session: SessionDep,
    actor: ActorDep,
    customer_id: Annotated[int | None, Query(ge=1, le=BIGINT)] = None,
    service: Text = None,
    priority: Text = None,
    state: Text = None,
    q: Annotated[str | None, Query(max_length=200, description="Number or title contains")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[TicketOut]:
    page = tickets.list_tickets(
        session,
        actor=actor,
        customer_id=customer_id,
        service=service,
        priority=priority,
        state=state,
        search=q,
        offset=offset,
        limit=limit,
    )
    return page_of(page, TicketOut)


@router.get("/{ticket_id}", response_model=TicketDetailOut)
def get_ticket(ticket_id: RecordId, session: SessionDep, actor: ActorDep) -> TicketDetailOut:
    ticket, events = tickets.get_ticket(session, actor=actor, ticket_id=ticket_id)
    out = TicketOut.model_validate(ticket).model_dump()
    return TicketDetailOut(**out, events=[TicketEventOut.model_validate(e) for e in events])
