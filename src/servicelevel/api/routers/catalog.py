"""/api/v1/services and /api/v1/catalog: the service catalog (SLM1)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, LockVersionQuery, Offset, RecordId
from servicelevel.api.schemas.catalog import (
    LifecycleIn,
    OptionsIn,
    ServiceIn,
    ServiceOut,
    ServicePatch,
    ServiceSummaryOut,
    Status,
)
from servicelevel.api.schemas.common import PageOut, page_of, page_of_list
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog

router = APIRouter(tags=["catalog"])


@router.get("/services", response_model=PageOut[ServiceSummaryOut])
def list_services(
    session: SessionDep,
    actor: ActorDep,
    status: Status | None = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Code or name contains")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[ServiceSummaryOut]:
    page = catalog.list_services(
        session,
        actor=actor,
        status=status,
        category=category,
        search=q,
        offset=offset,
        limit=limit,
    )
    return page_of(page, ServiceSummaryOut)


@router.get("/catalog", response_model=PageOut[ServiceOut])
def published_catalog(
    session: SessionDep, actor: ActorDep, offset: Offset = 0, limit: Limit = 50
) -> PageOut[ServiceOut]:
    """The published catalog with every service's options, as customers read it."""
    services = catalog.published_catalog(session, actor=actor)
    return page_of_list([ServiceOut.model_validate(s) for s in services], offset, limit)


@router.post("/services", response_model=ServiceOut, status_code=201)
def create_service(body: ServiceIn, session: SessionDep, actor: ActorDep) -> ServiceOut:
    fields = body.model_dump()
    fields["depends_on"] = tuple(fields["depends_on"])
    service = catalog.create_service(session, actor=actor, data=catalog.ServiceData(**fields))
    commit(session)
    return _detail(session, actor, service.id)


def _detail(session: SessionDep, actor: ActorDep, service_id: int) -> ServiceOut:
    service = catalog.get_service(session, actor=actor, service_id=service_id)
    return ServiceOut.model_validate(service)


@router.get("/services/{service_id}", response_model=ServiceOut)
def get_service(service_id: RecordId, session: SessionDep, actor: ActorDep) -> ServiceOut:
    return _detail(session, actor, service_id)


@router.patch("/services/{service_id}", response_model=ServiceOut)
def update_service(
    service_id: RecordId, body: ServicePatch, session: SessionDep, actor: ActorDep
) -> ServiceOut:
    changes = body.model_dump(exclude_unset=True, exclude={"lock_version"})
    for name in ("code", "name", "names", "description", "descriptions", "category"):
        if changes.get(name, "") is None:
            del changes[name]  # null means "unchanged" for texts; it clears only references
    catalog.update_service(
        session, actor=actor, service_id=service_id, version=body.lock_version, changes=changes
    )
    commit(session)
    return _detail(session, actor, service_id)


@router.put("/services/{service_id}/options", response_model=ServiceOut)
def set_options(
    service_id: RecordId, body: OptionsIn, session: SessionDep, actor: ActorDep
) -> ServiceOut:
    """Replace the service level options of a draft service."""
    options = [
        catalog.OptionData(
            o.code,
            o.name,
            o.names,
            tuple(catalog.OfferedTargetData(**t.model_dump()) for t in o.targets),
        )
        for o in body.options
    ]
    catalog.set_options(
        session, actor=actor, service_id=service_id, version=body.lock_version, options=options
    )
    commit(session)
    return _detail(session, actor, service_id)


@router.post("/services/{service_id}/lifecycle", response_model=ServiceOut)
def change_status(
    service_id: RecordId, body: LifecycleIn, session: SessionDep, actor: ActorDep
) -> ServiceOut:
    """Approve, publish, retire or revise a service (approval raises SLM work items)."""
    catalog_lifecycle.change_status(
        session,
        actor=actor,
        service_id=service_id,
        version=body.lock_version,
        transition=body.transition,
    )
    commit(session)
    return _detail(session, actor, service_id)


@router.delete("/services/{service_id}", status_code=204)
def delete_service(
    service_id: RecordId, lock_version: LockVersionQuery, session: SessionDep, actor: ActorDep
) -> Response:
    catalog.delete_service(session, actor=actor, service_id=service_id, version=lock_version)
    commit(session)
    return Response(status_code=204)
