"""/api/v1/portfolio/health: how every agreement in force is doing this month."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel

from servicelevel.api.deps import ActorDep, SessionDep
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut, page_of_list
from servicelevel.services import dashboard

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
