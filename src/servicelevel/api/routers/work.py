"""/api/v1/work-items: the SLM work list, and /api/v1/material-changes that feed it."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.catalog import CompleteIn, MaterialChangeIn, WorkItemOut
from servicelevel.api.schemas.common import PageOut, page_of
from servicelevel.services.shared import work

router = APIRouter(tags=["work"])


@router.get("/work-items", response_model=PageOut[WorkItemOut])
def list_work(
    session: SessionDep,
    actor: ActorDep,
    status: Literal["open", "done"] | None = None,
    service_id: RecordFilter | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[WorkItemOut]:
    page = work.list_work(
        session, actor=actor, status=status, service_id=service_id, offset=offset, limit=limit
    )
    return page_of(page, WorkItemOut)


@router.get("/work-items/{item_id}", response_model=WorkItemOut)
def get_work_item(item_id: RecordId, session: SessionDep, actor: ActorDep) -> WorkItemOut:
    return WorkItemOut.model_validate(work.get_work_item(session, actor=actor, item_id=item_id))


@router.post("/work-items/{item_id}/complete", response_model=WorkItemOut)
def complete(
    item_id: RecordId, body: CompleteIn, session: SessionDep, actor: ActorDep
) -> WorkItemOut:
    item = work.complete(
        session, actor=actor, item_id=item_id, version=body.lock_version, note=body.note
    )
    commit(session)
    return WorkItemOut.model_validate(item)


@router.post("/material-changes", response_model=list[WorkItemOut], status_code=201)
def record_change(
    body: MaterialChangeIn, session: SessionDep, actor: ActorDep
) -> list[WorkItemOut]:
    """A material change of strategy, capability or resources: every SLA gets reviewed."""
    items = work.record_change(
        session, actor=actor, change=body.change, description=body.description
    )
    commit(session)
    return [WorkItemOut.model_validate(i) for i in items]
