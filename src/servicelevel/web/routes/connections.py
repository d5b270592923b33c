"""Connections in the browser: each source tickets are pulled from, whether its last pull
worked (and if not, the source's own reason), its schedule, and every pull it made — and, for
those who manage connections, a button that pulls now (the worker runs it)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from servicelevel.api.deps import SessionDep
from servicelevel.services.intake import connections, pulls
from servicelevel.web import flash
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render
from servicelevel.web.submit import perform

router = APIRouter(prefix="/connections")
SHOWN_RUNS = 30  # the latest pulls listed on a connection's page


@router.get("")
def connections_page(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    found = connections.list_connections(db, actor=visitor.actor)
    return render(request, "connections/list.html", actor=visitor.actor, connections=found)


@router.get("/{connection_id}")
def connection_page(
    request: Request, connection_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    return _page(request, connection_id, visitor, db, None)


def _page(
    request: Request,
    connection_id: int,
    visitor: UserDep,
    db: SessionDep,
    error: object,
    code: int = 200,
) -> Response:
    found = connections.get_connection(db, actor=visitor.actor, connection_id=connection_id)
    runs = pulls.list_runs(db, actor=visitor.actor, connection_id=connection_id, limit=SHOWN_RUNS)
    return render(
        request,
        "connections/detail.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        connection=found,
        runs=runs,
        error=error,
        status=code,
    )


class PullForm(BaseModel):
    csrf: str = ""


@router.post("/{connection_id}/pull")
def pull_now(
    request: Request,
    connection_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[PullForm, Form()],
) -> Response:
    response = perform(
        visitor,
        db,
        form.csrf,
        lambda: pulls.request_run(db, actor=visitor.actor, connection_id=connection_id),
        then=f"/connections/{connection_id}",
        failed=lambda e, c: _page(request, connection_id, visitor, db, e, c),
    )
    if response.status_code == 303:
        flash.add(
            request,
            response,
            flash.SUCCESS,
            "A pull is queued: the worker runs it in a moment and lists it below.",
        )
    return response
