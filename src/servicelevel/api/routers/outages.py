"""/api/v1/outages and availability: downtime in, availability within service hours out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, BeforeValidator, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset
from servicelevel.api.schemas.common import AwareInstant, PageOut, page_of_list
from servicelevel.api.schemas.outages import AvailabilityOut, OutageIn, OutageOut
from servicelevel.definitions.resources import percent
from servicelevel.services.monitoring import outages

router = APIRouter(tags=["outages"])
Bound = Annotated[AwareInstant | None, Query(description="ISO 8601 with an offset")]


@router.get("/outages", response_model=PageOut[OutageOut])
def list_outages(
    session: SessionDep,
    actor: ActorDep,
    service: Annotated[str | None, Query(max_length=64)] = None,
    start: Bound = None,
    end: Bound = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[OutageOut]:
    found = outages.list_outages(session, actor=actor, service=service, start=start, end=end)
    return page_of_list([OutageOut.model_validate(o) for o in found], offset, limit)


@router.post("/outages", response_model=OutageOut, status_code=201)
def record_outage(body: OutageIn, session: SessionDep, actor: ActorDep) -> OutageOut:
    outage = outages.record_outage(
        session, actor=actor, data=outages.OutageData(**body.model_dump())
    )
    commit(session)
    return OutageOut.model_validate(outage)


@router.get("/availability", response_model=AvailabilityOut)
def availability(
    session: SessionDep,
    actor: ActorDep,
    service: Annotated[str, Query(min_length=1, max_length=64)],
    calendar: Annotated[str, Query(min_length=1, max_length=64, description="Calendar code")],
    period: Annotated[str, Query(max_length=40, description="2025-03, 2025-Q1, 2025…")],
    objective: Annotated[
        float | None,
        BeforeValidator(percent),
        Query(gt=0, lt=1, description="A fraction (0.999) or a percentage (99.9%)"),
    ] = None,
) -> AvailabilityOut:
    a = outages.service_availability(
        session,
        actor=actor,
        service=service,
        calendar_code=calendar,
        period=period,
        objective=objective,
    )
    return AvailabilityOut(
        service=service,
        period=period,
        calendar=calendar,
        agreed_seconds=a.agreed,
        downtime_seconds=a.downtime,
        outages=a.outages,
        availability=a.availability,
        objective=a.objective,
        objective_met=a.objective_met,
        mttr_seconds=a.mttr,
        mtbf_seconds=a.mtbf,
        error_budget_seconds=a.error_budget,
        budget_left_seconds=a.budget_left,
        burn_rate=a.burn_rate,
    )


class OutageCsvIn(BaseModel):
    csv: str = Field(
        min_length=1, max_length=5_000_000, description="service,start,end,planned,title"
    )
    source: str = Field(default="api", max_length=40)


class ImportedOut(BaseModel):
    recorded: int


@router.post("/outages/import", response_model=ImportedOut, status_code=201)
def import_outages(body: OutageCsvIn, session: SessionDep, actor: ActorDep) -> ImportedOut:
    """Record outages and maintenance windows (``planned``) from CSV: all or nothing, every
    bad row named by its line (``details``); instants need UTC offsets."""
    count = outages.import_csv(session, actor=actor, text=body.csv, source=body.source)
    commit(session)
    return ImportedOut(recorded=count)
