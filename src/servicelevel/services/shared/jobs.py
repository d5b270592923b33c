"""Background jobs: queued in the database, claimed by workers, retried when they fail or
when their worker dies. A claim is a lease of :data:`LEASE`, renewed by the worker's heartbeat
every :data:`HEARTBEAT` while the job runs; a job whose lease ran out (its worker was killed or
lost) is queued again at once and taken over by another worker. Handlers must be idempotent:
running a job twice gives the same result as running it once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import Job
from servicelevel.db.repositories import jobs as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import NotFound

RECOMPUTE = "recompute"  # the job that keeps an agreement's measurements current

MAX_ATTEMPTS = 5
LEASE = dt.timedelta(seconds=60)  # a running job not renewed for this long has lost its worker
HEARTBEAT = LEASE / 3  # how often a worker renews the lease of the job it runs
Handler = Callable[[Session, Job], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def enqueue(session: Session, *, kind: str, payload: dict[str, Any]) -> Job:
    job = Job(kind=kind, payload=payload, status="queued", run_after=utcnow())
    session.add(job)
    session.flush()
    return job


def claim(session: Session, *, worker: str, now: dt.datetime | None = None) -> Job | None:
    """The next due job, now running for ``worker`` (the caller commits)."""
    return repo.claim_next(session, worker=worker, now=now or utcnow())


def finish(session: Session, job: Job, result: dict[str, Any]) -> None:
    job.status, job.result, job.finished_at, job.error = "done", result, utcnow(), ""


def renew(session: Session, *, job_id: int, worker: str, now: dt.datetime | None = None) -> bool:
    """Renew the lease ``worker`` holds on a running job (the caller commits). False when the
    job is no longer this worker's, or when its row is locked by the job's own transaction —
    which keeps other workers off it just as well (they skip locked rows)."""
    return repo.renew_lease(session, job_id=job_id, worker=worker, now=now or utcnow())


def fail(session: Session, job: Job, error: str, *, retry_at: dt.datetime | None = None) -> None:
    """Retry at ``retry_at`` or later with back-off (1, 2, 4… minutes), or give up after
    MAX_ATTEMPTS."""
    job.error = error[:2000]
    if job.attempts >= MAX_ATTEMPTS:
        job.status, job.finished_at = "failed", utcnow()
        return
    job.status, job.claimed_at, job.claimed_by = "queued", None, ""
    job.run_after = retry_at or utcnow() + dt.timedelta(minutes=2 ** (job.attempts - 1))


KEEP_DONE = dt.timedelta(days=2)


def prune(session: Session, *, now: dt.datetime | None = None) -> int:
    """Forget jobs done more than :data:`KEEP_DONE` ago (a live feed queues many small ones)."""
    return repo.prune(session, before=(now or utcnow()) - KEEP_DONE)


def requeue_stale(
    session: Session, *, now: dt.datetime | None = None, lease: dt.timedelta = LEASE
) -> int:
    """Queue again, due at once, the jobs whose worker stopped renewing its lease (it died
    mid-job; nothing it did was committed). The attempt still counts, so a job that kills
    every worker that runs it ends as failed."""
    now = now or utcnow()
    found = repo.stale(session, before=now - lease)
    for job in found:
        fail(
            session,
            job,
            f"worker {job.claimed_by} stopped before finishing (no heartbeat for {lease})",
            retry_at=now,
        )
    return len(found)


def progress(job: Job, done: int, total: int) -> None:
    """``done`` of ``total``, never more done than there is (a page must not read "15 of 10")."""
    job.progress_done, job.progress_total = min(done, total), total


def get_job(session: Session, *, actor: Actor, job_id: int) -> Job:
    require(actor, "job.read")
    found = repo.job_by_id(session, job_id)
    if found is None:
        raise NotFound("no job {id}", id=job_id)
    return found


def list_jobs(
    session: Session, *, actor: Actor, status: str | None = None, offset: int = 0, limit: int = 50
) -> Page[Job]:
    require(actor, "job.read")
    return repo.list_jobs(session, status=status, offset=offset, limit=limit)


def load(session: Session, job_id: int) -> Job:
    """A claimed job, for the worker that runs it."""
    found = repo.job_by_id(session, job_id)
    if found is None:
        raise NotFound("no job {id}", id=job_id)
    return found
