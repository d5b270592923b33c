"""The audit trail, newest first, filterable by object."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.services import audit_trail
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/audit")


@router.get("")
def audit(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    object_type: Annotated[str, Query(max_length=60)] = "",
    object_id: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    page = audit_trail.list_audit(
        db,
        actor=visitor.actor,
        object_type=object_type or None,
        object_id=object_id or None,
        limit=200,
    )
    return render(
        request,
        "audit/list.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        object_type=object_type,
        object_id=object_id,
    )
