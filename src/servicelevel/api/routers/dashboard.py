"""/api/v1/portfolio/health: how every agreement in force is doing this month."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from servicelevel.api.deps import ActorDep, SessionDep
from servicelevel.api.routers.paging import RecordFilter
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
    findings: int


@router.get("/portfolio/health", response_model=list[HealthOut])
def portfolio_health(
    session: SessionDep,
    actor: ActorDep,
    customer_id: RecordFilter | None = None,
    service_id: RecordFilter | None = None,
    manager_id: RecordFilter | None = None,
) -> list[HealthOut]:
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
    return [HealthOut(**h.__dict__) for h in found]
