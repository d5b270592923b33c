"""/api/v1/connections: ticket systems pulled on a schedule or on demand (docs/connectors.md),
their runs, and "run now" (a job the worker runs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.jobs import JobOut
from servicelevel.api.routers.paging import Limit, Offset, RecordId
from servicelevel.api.schemas.common import (
    AwareInstant,
    LockVersion,
    LockVersionOut,
    PageOut,
    page_of_list,
)
from servicelevel.services.intake import connections, pulls
from servicelevel.services.intake.connections import MAX_INTERVAL, MIN_INTERVAL, ConnectionData

router = APIRouter(tags=["connections"])

NAME = r"^[a-z0-9][a-z0-9_-]*$"
SETTINGS = (
    "The kind's settings (RT: query, page_size…) and auth: {kind, username, secret_env | "
    "secret_file} — where the secret is read from when a pull starts, never the secret"
)


class ConnectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    kind: str
    base_url: str
    mapping: str
    settings: dict[str, Any]
    interval_seconds: int | None
    backfill_from: dt.datetime | None
    enabled: bool
    write_back: bool
    cursor: str | None = Field(description="Where the next pull resumes (the source's own)")
    state: str = Field(description="idle, running, ok or failed (the last pull's outcome)")
    last_run_at: dt.datetime | None
    last_success_at: dt.datetime | None
    last_error: str
    lock_version: LockVersionOut


class ConnectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, pattern=NAME)
    kind: str = Field(min_length=1, max_length=20, description="rt, rest…")
    base_url: str = Field(min_length=1, max_length=1000)
    mapping: str = Field(min_length=1, max_length=64, description="A shipped or stored mapping")
    settings: dict[str, Any] = Field(default={}, description=SETTINGS)
    interval_seconds: int | None = Field(
        default=None, ge=MIN_INTERVAL, le=MAX_INTERVAL, description="None: on demand only"
    )
    backfill_from: AwareInstant | None = None
    enabled: bool = True
    write_back: bool = False


class ConnectionPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    kind: str | None = Field(default=None, min_length=1, max_length=20)
    base_url: str | None = Field(default=None, min_length=1, max_length=1000)
    mapping: str | None = Field(default=None, min_length=1, max_length=64)
    settings: dict[str, Any] | None = Field(default=None, description=SETTINGS)
    interval_seconds: int | None = Field(default=None, ge=MIN_INTERVAL, le=MAX_INTERVAL)
    backfill_from: AwareInstant | None = None
    enabled: bool | None = None
    write_back: bool | None = None
    reset_cursor: bool = Field(
        default=False, description="Pull again from backfill_from (nothing is stored twice)"
    )


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    started_at: dt.datetime
    finished_at: dt.datetime | None
    outcome: str = Field(description="running, ok or failed")
    pages: int
    records: int
    stored: int
    duplicates: int
    error: str


@router.get("/connections", response_model=PageOut[ConnectionOut])
def list_connections(
    session: SessionDep, actor: ActorDep, offset: Offset = 0, limit: Limit = 50
) -> PageOut[ConnectionOut]:
    """Every connection with the state of its last pull."""
    found = connections.list_connections(session, actor=actor)
    return page_of_list([ConnectionOut.model_validate(c) for c in found], offset, limit)


@router.post("/connections", response_model=ConnectionOut, status_code=201)
def create_connection(body: ConnectionIn, session: SessionDep, actor: ActorDep) -> ConnectionOut:
    """A new connection; its settings are checked by its kind, a mistake named by its field."""
    made = connections.create_connection(
        session, actor=actor, data=ConnectionData(**body.model_dump())
    )
    commit(session)
    return ConnectionOut.model_validate(made)


@router.get("/connections/{connection_id}", response_model=ConnectionOut)
def get_connection(connection_id: RecordId, session: SessionDep, actor: ActorDep) -> ConnectionOut:
    found = connections.get_connection(session, actor=actor, connection_id=connection_id)
    return ConnectionOut.model_validate(found)


@router.patch("/connections/{connection_id}", response_model=ConnectionOut)
def update_connection(
    connection_id: RecordId, body: ConnectionPatch, session: SessionDep, actor: ActorDep
) -> ConnectionOut:
    """Change the fields sent (``interval_seconds: null`` makes it on demand only)."""
    changes = body.model_dump(exclude_unset=True, exclude={"lock_version", "reset_cursor"})
    found = connections.update_connection(
        session,
        actor=actor,
        connection_id=connection_id,
        lock_version=body.lock_version,
        changes=changes,
        reset_cursor=body.reset_cursor,
    )
    commit(session)
    return ConnectionOut.model_validate(found)


@router.delete("/connections/{connection_id}", status_code=204)
def delete_connection(connection_id: RecordId, session: SessionDep, actor: ActorDep) -> Response:
    """Forget a connection and its runs (the tickets it stored stay)."""
    connections.delete_connection(session, actor=actor, connection_id=connection_id)
    commit(session)
    return Response(status_code=204)


@router.post("/connections/{connection_id}/run", response_model=JobOut, status_code=202)
def run_connection(connection_id: RecordId, session: SessionDep, actor: ActorDep) -> JobOut:
    """Pull now: a job the worker runs (``/api/v1/jobs/{id}`` follows it; its run appears
    under ``runs``)."""
    job = pulls.request_run(session, actor=actor, connection_id=connection_id)
    commit(session)
    return JobOut.model_validate(job)


@router.get("/connections/{connection_id}/runs", response_model=PageOut[RunOut])
def connection_runs(
    connection_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[RunOut]:
    """The connection's pulls, newest first: what each read and stored, or why it failed."""
    found = pulls.list_runs(
        session, actor=actor, connection_id=connection_id, limit=connections.MAX_LISTED
    )
    return page_of_list([RunOut.model_validate(r) for r in found], offset, limit)
