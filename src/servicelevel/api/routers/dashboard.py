"""/api/v1/portfolio/health: how every agreement in force is doing this month;
/api/v1/teams/attainment: how each of the provider's teams did in a month."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from servicelevel.api.deps import ActorDep, SessionDep
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut, page_of_list
from servicelevel.services.reporting import teams as team_attainment
from servicelevel.services.workspace import portfolio as dashboard

router = APIRouter(tags=["agreements"])


class HealthOut(BaseModel):
    agreement_id: int
    code: str
    title: str
    kind: str
    status: str
    counterparty_id: int
    manager_id: int | None
    period: str
    met: int
    breached: int
    within: float | None
    at_risk: int
    breaches: int
    excluded: int
    findings: int | None  # None for representatives: underpinning is internal
    next_review: dt.datetime | None
    review_id: int | None
    review_overdue: bool


@router.get("/portfolio/health", response_model=PageOut[HealthOut])
def portfolio_health(
    session: SessionDep,
    actor: ActorDep,
    customer_id: RecordFilter | None = None,
    service_id: RecordFilter | None = None,
    manager_id: RecordFilter | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[HealthOut]:
    """Every agreement in force this month (from stored measurements): compliance so far,
    clocks at risk of breaching within 4 hours, breaches (and how many excluded), whether it
    is expiring, and its underpinning findings; filterable by customer, service, manager."""
    found = dashboard.portfolio(
        session,
        actor=actor,
        customer_id=customer_id,
        service_id=service_id,
        manager_id=manager_id,
    )
    return page_of_list([HealthOut(**h.__dict__) for h in found], offset, limit)


class TargetMonthOut(BaseModel):
    target: str
    name: str
    objective: float | None
    met: int
    breached: int
    open: int
    within: float | None
    on_track: bool | None


class AgreementMonthOut(BaseModel):
    period: str
    targets: list[TargetMonthOut]


@router.get("/agreements/{agreement_id}/health", response_model=AgreementMonthOut)
def agreement_health(
    agreement_id: RecordId, session: SessionDep, actor: ActorDep
) -> AgreementMonthOut:
    """Each ticket target this month against its objective, from stored measurements."""
    period, rows = dashboard.agreement_month(session, actor=actor, agreement_id=agreement_id)
    return AgreementMonthOut(period=period, targets=[TargetMonthOut(**r.__dict__) for r in rows])


class HeldAgreementOut(BaseModel):
    agreement_id: int
    code: str
    title: str
    kind: str
    met: int
    breached: int
    within: float | None


class TeamOut(BaseModel):
    team: str
    agreements: list[HeldAgreementOut]
    met: int
    breached: int
    within: float | None
    breaches: int
    excluded: int
    handed: int


class AttainmentOut(BaseModel):
    period: str
    start: dt.datetime
    end: dt.datetime
    teams: list[TeamOut]


@router.get("/teams/attainment", response_model=AttainmentOut, tags=["monitoring"])
def team_attainment_month(
    session: SessionDep,
    actor: ActorDep,
    period: Annotated[str, Query(max_length=40, description="a month, 2026-03")] = "",
) -> AttainmentOut:
    """Each team in a month (UTC; this month by default): the OLAs it holds with their
    compliance from stored measurements, the breaches of any agreement while it held the
    ticket, and the tickets handed to it. Internal: not for representatives."""
    found = team_attainment.attainment(
        session, actor=actor, period=period or None, now=dt.datetime.now(dt.UTC)
    )
    return AttainmentOut(
        period=found.period,
        start=found.start,
        end=found.end,
        teams=[
            TeamOut(
                **{k: v for k, v in t.__dict__.items() if k != "agreements"},
                agreements=[HeldAgreementOut(**r.__dict__) for r in t.agreements],
            )
            for t in found.teams
        ],
    )
