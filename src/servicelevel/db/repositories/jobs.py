"""Queries about jobs. Claiming is one function for both databases: PostgreSQL locks the chosen
row with ``FOR UPDATE SKIP LOCKED`` (other workers skip it), SQLite — one writer at a time under
``BEGIN IMMEDIATE`` — ignores that clause; on both the conditional UPDATE only succeeds while the
job is still queued, so a job is never claimed twice."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from servicelevel.db.models import Job
from servicelevel.db.repositories.common import Page, paginate


def claim_next(
    session: Session, *, worker: str, now: dt.datetime, kinds: tuple[str, ...] | None = None
) -> Job | None:
    query = (
        select(Job.id)
        .where(Job.status == "queued", Job.run_after <= now)
        .order_by(Job.run_after, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if kinds:
        query = query.where(Job.kind.in_(kinds))
    job_id = session.scalar(query)
    if job_id is None:
        return None
    done = session.execute(
        update(Job)
        .where(Job.id == job_id, Job.status == "queued")
        .values(status="running", claimed_by=worker, claimed_at=now, attempts=Job.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return None
    session.expire_all()
    return session.get(Job, job_id)


def renew_lease(session: Session, *, job_id: int, worker: str, now: dt.datetime) -> bool:
    """Move the claim of a job ``worker`` still runs to ``now``. A row locked by the job's own
    transaction is skipped, not waited for: :func:`stale` skips it too."""
    mine = session.scalar(
        select(Job.id)
        .where(Job.id == job_id, Job.status == "running", Job.claimed_by == worker)
        .with_for_update(skip_locked=True)
    )
    if mine is None:
        return False
    session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return True


def stale(session: Session, *, before: dt.datetime) -> list[Job]:
    """Running jobs whose lease has not been renewed since ``before`` (their worker died)."""
    query = select(Job).where(Job.status == "running", Job.claimed_at < before)
    return list(session.scalars(query.with_for_update(skip_locked=True)))


def job_by_id(session: Session, job_id: int) -> Job | None:
    return session.get(Job, job_id)


def list_jobs(session: Session, *, status: str | None, offset: int, limit: int) -> Page[Job]:
    query = select(Job).order_by(Job.id.desc())
    if status:
        query = query.where(Job.status == status)
    return paginate(session, query, offset, limit)


def agreements_waiting(session: Session, kind: str) -> set[int]:
    """The agreements with a job of ``kind`` queued or running (work whose result is not in)."""
    agreement = Job.payload["agreement_id"].as_integer()
    query = (
        select(agreement).where(Job.kind == kind, Job.status.in_(("queued", "running"))).distinct()
    )
    return {int(a) for a in session.scalars(query) if a is not None}


def take_queued(session: Session, kind: str, agreement_id: int, *, exclude: int) -> list[Job]:
    """Queued jobs of ``kind`` for one agreement, locked for the caller (other workers skip
    them): their work joins the caller's job."""
    query = (
        select(Job)
        .where(Job.kind == kind, Job.status == "queued", Job.id != exclude)
        .with_for_update(skip_locked=True)
    )
    return [
        j for j in session.scalars(query) if int(j.payload.get("agreement_id", 0)) == agreement_id
    ]


def prune(session: Session, *, before: dt.datetime) -> int:
    """Delete jobs done before ``before`` (failed ones stay for people to look at)."""
    done = session.execute(delete(Job).where(Job.status == "done", Job.finished_at < before))
    return int(done.rowcount or 0)  # type: ignore[attr-defined]


def latest_for(session: Session, kind: str, agreement_id: int) -> Job | None:
    """The newest job of ``kind`` for an agreement."""
    query = (
        select(Job)
        .where(Job.kind == kind, Job.payload["agreement_id"].as_integer() == agreement_id)
        .order_by(Job.id.desc())
        .limit(1)
    )
    return session.scalar(query)
