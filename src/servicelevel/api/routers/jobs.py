"""/api/v1/jobs, recomputation requests and report schedules run now: background work and its
progress."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordId
from servicelevel.api.schemas.common import PageOut, page_of, page_of_list
from servicelevel.services.monitoring import live, recompute
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.services.shared import jobs

router = APIRouter(tags=["jobs"])


class JobOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    payload: dict[str, Any]
    status: str
    attempts: int
    progress_done: int
    progress_total: int
    result: dict[str, Any]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


@router.post("/agreements/{agreement_id}/recompute", response_model=JobOut, status_code=202)
def request_recompute(agreement_id: RecordId, session: SessionDep, actor: ActorDep) -> JobOut:
    """Queue a recomputation of the agreement's measurements; follow it at /jobs/{id}."""
    job = recompute.request(session, actor=actor, agreement_id=agreement_id)
    commit(session)
    return JobOut.model_validate(job)


@router.post("/report-schedules/{schedule_id}/run", response_model=JobOut, status_code=202)
def run_schedule_now(schedule_id: RecordId, session: SessionDep, actor: ActorDep) -> JobOut:
    """Run a report schedule now (managers): the worker publishes the month before, mails it
    to the distribution list and records the delivery, as on the schedule's own day; the next
    scheduled run does not move. Follow it at /jobs/{id}, the delivery at
    /report-schedules/{schedule_id}/deliveries."""
    job = report_schedules.run_now(session, actor=actor, schedule_id=schedule_id)
    commit(session)
    return JobOut.model_validate(job)


@router.get("/jobs", response_model=PageOut[JobOut])
def list_jobs(
    session: SessionDep,
    actor: ActorDep,
    status: Literal["queued", "running", "done", "failed"] | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[JobOut]:
    page = jobs.list_jobs(session, actor=actor, status=status, offset=offset, limit=limit)
    return page_of(page, JobOut)


@router.get("/jobs/{job_id}", response_model=JobOut)
def get_job(job_id: RecordId, session: SessionDep, actor: ActorDep) -> JobOut:
    return JobOut.model_validate(jobs.get_job(session, actor=actor, job_id=job_id))


class OpenClockOut(BaseModel):
    ticket_id: int
    ticket: str
    priority: str
    target: str
    status: str
    deadline: dt.datetime | None
    left_seconds: int
    overdue: bool
    overdue_seconds: int  # how long ago the deadline passed (real time); 0 when not overdue


@router.get("/agreements/{agreement_id}/open-tickets", response_model=PageOut[OpenClockOut])
def open_tickets(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[OpenClockOut]:
    """Open tickets of the agreement with their clocks, most urgent (soonest deadline) first."""
    found = live.open_clocks(
        session, actor=actor, agreement_id=agreement_id, now=dt.datetime.now(dt.UTC)
    )
    return page_of_list([OpenClockOut(**c.__dict__) for c in found], offset, limit)
