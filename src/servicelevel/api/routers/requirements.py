"""/api/v1/requirements, /change-requests, /what-if: service level requirements (SLM2)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, BackgroundTasks, Query
from sqlalchemy.orm import Session

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import PageOut, page_of, page_of_list
from servicelevel.api.schemas.requirements import (
    ChangeRequestOut,
    ChangeRequestPatch,
    ComplianceOut,
    DecisionIn,
    DemandOut,
    Metric,
    RequestedTargetIn,
    RequirementIn,
    RequirementOut,
    RequirementPatch,
    RequirementSummaryOut,
    VersionIn,
    WhatIfOut,
)
from servicelevel.services.requirements import capture as requirements
from servicelevel.services.requirements import change_requests, whatif
from servicelevel.services.requirements.capture import RequestedTargetData, RequirementData

router = APIRouter(tags=["requirements"])


def _deliver(session: Session) -> None:
    """After the response: post pending change requests to the webhook (an outbox)."""
    change_requests.deliver_pending(session)
    session.commit()


@router.get("/requirements", response_model=PageOut[RequirementSummaryOut])
def list_requirements(
    session: SessionDep,
    actor: ActorDep,
    status: Literal["captured", "analysed", "agreed", "rejected"] | None = None,
    service_id: RecordFilter | None = None,
    customer_id: RecordFilter | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Code or title contains")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[RequirementSummaryOut]:
    page = requirements.list_requirements(
        session,
        actor=actor,
        status=status,
        service_id=service_id,
        customer_id=customer_id,
        search=q,
        offset=offset,
        limit=limit,
    )
    return page_of(page, RequirementSummaryOut)


def _detail(session: SessionDep, actor: ActorDep, requirement_id: int) -> RequirementOut:
    found = requirements.get_requirement(session, actor=actor, requirement_id=requirement_id)
    out = RequirementOut.model_validate(found)
    changes = change_requests.of_requirement(session, found.id)
    out.change_requests = [ChangeRequestOut.model_validate(c) for c in changes]
    return out


def _targets(items: list[RequestedTargetIn]) -> tuple[RequestedTargetData, ...]:
    return tuple(RequestedTargetData(**t.model_dump()) for t in items)


@router.post("/requirements", response_model=RequirementOut, status_code=201)
def capture(body: RequirementIn, session: SessionDep, actor: ActorDep) -> RequirementOut:
    fields = body.model_dump(exclude={"targets"})
    data = RequirementData(**fields, targets=_targets(list(body.targets)))
    found = requirements.capture(session, actor=actor, data=data)
    commit(session)
    return _detail(session, actor, found.id)


@router.get("/requirements/{requirement_id}", response_model=RequirementOut)
def get_requirement(
    requirement_id: RecordId, session: SessionDep, actor: ActorDep
) -> RequirementOut:
    return _detail(session, actor, requirement_id)


@router.patch("/requirements/{requirement_id}", response_model=RequirementOut)
def update_requirement(
    requirement_id: RecordId, body: RequirementPatch, session: SessionDep, actor: ActorDep
) -> RequirementOut:
    changes = body.model_dump(
        exclude_unset=True, exclude_none=True, exclude={"lock_version", "targets"}
    )
    if body.targets is not None:
        changes["targets"] = _targets(list(body.targets))
    requirements.update_requirement(
        session,
        actor=actor,
        requirement_id=requirement_id,
        version=body.lock_version,
        changes=changes,
    )
    commit(session)
    return _detail(session, actor, requirement_id)


@router.post("/requirements/{requirement_id}/analysis", response_model=RequirementOut)
def analyse(
    requirement_id: RecordId,
    body: VersionIn,
    session: SessionDep,
    actor: ActorDep,
    background: BackgroundTasks,
) -> RequirementOut:
    """Compare the requested targets with the catalog; a shortfall raises a change request."""
    requirements.analyse(
        session, actor=actor, requirement_id=requirement_id, version=body.lock_version
    )
    commit(session)
    background.add_task(_deliver, session)
    return _detail(session, actor, requirement_id)


@router.post("/requirements/{requirement_id}/decision", response_model=RequirementOut)
def decide(
    requirement_id: RecordId, body: DecisionIn, session: SessionDep, actor: ActorDep
) -> RequirementOut:
    requirements.decide(
        session,
        actor=actor,
        requirement_id=requirement_id,
        version=body.lock_version,
        decision=body.decision,
        note=body.note,
    )
    commit(session)
    return _detail(session, actor, requirement_id)


@router.get("/services/{service_id}/demand", response_model=PageOut[DemandOut])
def demand(
    service_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[DemandOut]:
    """The service's requirements consolidated: the strictest ask per metric and priority."""
    found = requirements.consolidated(session, actor=actor, service_id=service_id)
    rows = [DemandOut.model_validate(d, from_attributes=True) for d in found]
    return page_of_list(rows, offset, limit)


@router.get("/what-if", response_model=WhatIfOut)
def what_if(
    session: SessionDep,
    actor: ActorDep,
    service_id: RecordFilter,
    metric: Metric,
    objective: Annotated[float, Query(gt=0, le=1)],
    period: Annotated[str, Query(max_length=40, description="2026-03, 2026-Q1, 2026…")],
    priority: Annotated[str, Query(max_length=40)] = "",
    within: Annotated[str, Query(max_length=40)] = "",
    customer_id: RecordFilter | None = None,
) -> WhatIfOut:
    """The compliance a requested target would have had over a past period."""
    found = whatif.what_if(
        session,
        actor=actor,
        service_id=service_id,
        metric=metric,
        objective=objective,
        period=period,
        priority=priority,
        within=within,
        customer_id=customer_id,
    )
    compliance = None
    if found.compliance is not None:
        c = found.compliance
        compliance = ComplianceOut(
            met=c.met,
            breached=c.breached,
            open=c.open,
            within=c.within,
            objective_met=c.objective_met,
            percentiles={f"p{k:g}": v for k, v in c.percentiles.items()},
        )
    return WhatIfOut(
        service=found.service,
        period=found.period.label,
        metric=found.metric,
        priority=found.priority,
        within=found.within,
        objective=found.objective,
        clock_from=found.clock_from,
        tickets=found.tickets,
        compliance=compliance,
        availability=found.availability.availability if found.availability else None,
    )


@router.get("/change-requests", response_model=PageOut[ChangeRequestOut])
def list_change_requests(
    session: SessionDep,
    actor: ActorDep,
    status: Literal["open", "accepted", "rejected", "implemented"] | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[ChangeRequestOut]:
    page = change_requests.list_change_requests(
        session, actor=actor, status=status, offset=offset, limit=limit
    )
    return page_of(page, ChangeRequestOut)


@router.get("/change-requests/{change_id}", response_model=ChangeRequestOut)
def get_change_request(
    change_id: RecordId, session: SessionDep, actor: ActorDep
) -> ChangeRequestOut:
    found = change_requests.get_change_request(session, actor=actor, change_id=change_id)
    return ChangeRequestOut.model_validate(found)


@router.patch("/change-requests/{change_id}", response_model=ChangeRequestOut)
def update_change_request(
    change_id: RecordId, body: ChangeRequestPatch, session: SessionDep, actor: ActorDep
) -> ChangeRequestOut:
    """Record change management's decision (and its reference)."""
    found = change_requests.update_status(
        session,
        actor=actor,
        change_id=change_id,
        version=body.lock_version,
        status=body.status,
        external_ref=body.external_ref,
    )
    commit(session)
    return ChangeRequestOut.model_validate(found)


@router.post("/change-requests/{change_id}/retry", response_model=ChangeRequestOut)
def retry(
    change_id: RecordId,
    body: VersionIn,
    session: SessionDep,
    actor: ActorDep,
    background: BackgroundTasks,
) -> ChangeRequestOut:
    """Queue the webhook delivery again (after failures)."""
    found = change_requests.retry(
        session, actor=actor, change_id=change_id, version=body.lock_version
    )
    commit(session)
    background.add_task(_deliver, session)
    return ChangeRequestOut.model_validate(found)
