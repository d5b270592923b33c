"""/api/v1/tickets: the tickets targets are measured on, with their event timelines."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from servicelevel.api.deps import ActorDep, SessionDep
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut, page_of, page_of_list
from servicelevel.api.schemas.tickets import (
    ExplanationOut,
    MeasurementOut,
    StepOut,
    TicketDetailOut,
    TicketEventOut,
    TicketOut,
)
from servicelevel.services import explain, tickets

router = APIRouter(prefix="/tickets", tags=["tickets"])
Text = Annotated[str | None, Query(max_length=100)]


@router.get("", response_model=PageOut[TicketOut])
def list_tickets(
    session: SessionDep,
    actor: ActorDep,
    customer_id: RecordFilter | None = None,
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


@router.get("/{ticket_id}/measurements", response_model=PageOut[MeasurementOut])
def ticket_measurements(
    ticket_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[MeasurementOut]:
    """Each target's clock for the ticket as last recomputed (status, working time used and
    paused, budget, deadline, breach): the same as the ticket's page. Representatives see
    their own customer's tickets, measured by their own agreements, only."""
    found = tickets.measurements_of(session, actor=actor, ticket_id=ticket_id)
    rows = [MeasurementOut.model_validate({**_columns(m), "agreement": code}) for code, m in found]
    return page_of_list(rows, offset, limit)


@router.get("/{ticket_id}/explanation", response_model=PageOut[ExplanationOut])
def ticket_explanation(
    ticket_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[ExplanationOut]:
    """How each target's clock ran for the ticket, replayed event by event now: when it ran,
    paused, stopped or was cancelled and why (the state, event or calendar closure that made
    it so), and the agreement version it is measured under. Scoped like the page."""
    found = explain.explain_ticket(
        session, actor=actor, ticket_id=ticket_id, now=dt.datetime.now(dt.UTC)
    )
    rows = [
        ExplanationOut(
            agreement=x.agreement,
            version=x.version,
            target=x.target,
            steps=[StepOut.model_validate({**s.__dict__, "cause": s.cause}) for s in x.steps],
        )
        for x in found
    ]
    return page_of_list(rows, offset, limit)


def _columns(row: object) -> dict[str, object]:
    return {k: getattr(row, k) for k in MeasurementOut.model_fields if hasattr(row, k)}
