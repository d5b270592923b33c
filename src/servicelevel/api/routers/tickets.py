"""/api/v1/tickets: the tickets targets are measured on, with their event timelines."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from servicelevel.api.deps import ActorDep, SessionDep
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import BIGINT, PageOut, page_of_list
from servicelevel.api.schemas.tickets import (
    ClockOut,
    ExplanationOut,
    MeasurementOut,
    QueuePageOut,
    QueueTicketOut,
    StepOut,
    TicketDetailOut,
    TicketEventOut,
    TicketOut,
)
from servicelevel.services.monitoring import explain, tickets
from servicelevel.services.monitoring import queue as ticket_queue
from servicelevel.services.shared.errors import Invalid

router = APIRouter(prefix="/tickets", tags=["tickets"])
Text = Annotated[str | None, Query(max_length=100)]
SORT_HELP = "deadline, left, used, opened or priority; a leading - sorts descending"
CLOCK_HELP = "running, at_risk, overdue, paused, met or breached"


@router.get("", response_model=QueuePageOut)
def list_tickets(
    session: SessionDep,
    actor: ActorDep,
    customer: Annotated[str | None, Query(max_length=64, description="Party code")] = None,
    customer_id: RecordFilter | None = None,
    service: Text = None,
    priority: Text = None,
    agreement: Annotated[
        int | None, Query(ge=1, le=BIGINT, description="Only tickets this agreement measures")
    ] = None,
    clock: Annotated[str | None, Query(max_length=20, description=CLOCK_HELP)] = None,
    state: Text = None,
    q: Annotated[str | None, Query(max_length=200, description="Number or title contains")] = None,
    sort: Annotated[str, Query(max_length=20, description=SORT_HELP)] = "deadline",
    page: Annotated[int | None, Query(ge=1, le=2**31, description="Page number, from 1")] = None,
    offset: Offset = 0,
    limit: Limit = ticket_queue.PAGE_SIZE,
) -> QueuePageOut:
    """The ticket queue: each ticket with its headline clock (time left, share of the budget
    used, deadline), filtered, sorted and paged in the database, as the web page shows it."""
    if page is not None and offset:
        raise Invalid("give page or offset, not both", "page")
    found = ticket_queue.queue(
        session,
        actor=actor,
        filters=ticket_queue.QueueFilter(
            customer=customer,
            service=service,
            priority=priority,
            agreement=agreement,
            clock=clock,
            state=state,
            q=q,
            customer_id=customer_id,
        ),
        now=dt.datetime.now(dt.UTC),
        sort=sort,
        page=1 if page is None else page,
        page_size=limit,
        offset=None if page is not None else offset,
    )
    return QueuePageOut(
        items=[_queued(r, found.agreements) for r in found.rows],
        total=found.total,
        offset=found.offset,
        limit=found.page_size,
        page=found.page,
        pages=found.pages,
        sort=found.sort,
    )


def _queued(row: ticket_queue.QueueRow, codes: dict[int, str]) -> QueueTicketOut:
    out = TicketOut.model_validate(row.ticket).model_dump()
    clock = None
    if row.agreement_id is not None and row.clock is not None:
        clock = ClockOut(
            agreement_id=row.agreement_id,
            agreement=codes.get(row.agreement_id, ""),
            target=row.target_key or "",
            status=row.clock,
            deadline=row.deadline,
            left_seconds=row.left_seconds,
            used=row.used,
        )
    return QueueTicketOut(**out, customer=row.customer, clock=clock)


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
