"""The job queue: workers on two connections never run a job twice, failures back off and give
up, a dead worker's job runs again; recomputing measurements is idempotent."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelevel.db import migrate
from servicelevel.db.models import Job
from servicelevel.db.session import make_engine, session_factory
from servicelevel.jobs import worker
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import Invalid
from tests.integration.conftest import fresh_postgres

RUNS: list[int] = []
LOCK = threading.Lock()


@jobs.handler("test.count")
def _count(session: Session, job: Job) -> dict[str, Any]:
    with LOCK:
        RUNS.append(int(job.payload["n"]))
    return {"n": job.payload["n"]}


@jobs.handler("test.fail")
def _fail(session: Session, job: Job) -> dict[str, Any]:
    raise Invalid("this job always fails")


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own: the workers commit, on separate connections."""
    if request.param == "sqlite":
        path = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
        migrate.upgrade(path)
        yield path
        return
    with fresh_postgres() as pg:
        migrate.upgrade(pg)
        yield pg


def test_two_workers_run_every_job_exactly_once(url: str) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as session:
        for n in range(40):
            jobs.enqueue(session, kind="test.count", payload={"n": n})
        session.commit()
    RUNS.clear()
    threads = [
        threading.Thread(target=worker.run, args=(sessions,), kwargs={"once": True})
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(RUNS) == list(range(40))
    with sessions() as session:
        done = jobs.list_jobs(session, actor=jobs_actor(), status="done", limit=100)
        assert done.total == 40
    engine.dispose()


def jobs_actor() -> Any:
    return SYSTEM


def test_a_failing_job_backs_off_then_gives_up(url: str) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as session:
        job_id = jobs.enqueue(session, kind="test.fail", payload={}).id
        session.commit()
    assert worker.run_one(sessions, "w1")
    with sessions() as session:
        job = jobs.load(session, job_id)
        assert (job.status, job.attempts, job.error) == ("queued", 1, "this job always fails")
        assert job.run_after > dt.datetime.now(dt.UTC)  # not before its back-off
        assert jobs.claim(session, worker="w2") is None
        for _ in range(jobs.MAX_ATTEMPTS - 1):
            job.run_after = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
            session.commit()
            assert worker.run_one(sessions, "w1")
            session.expire_all()
            job = jobs.load(session, job_id)
        assert (job.status, job.attempts) == ("failed", jobs.MAX_ATTEMPTS)
    engine.dispose()


def test_a_job_whose_worker_died_runs_again(url: str) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as session:
        job_id = jobs.enqueue(session, kind="test.count", payload={"n": 7}).id
        session.commit()
        claimed = jobs.claim(session, worker="dead")  # claimed, then the worker is killed
        session.commit()
        assert claimed is not None
        later = dt.datetime.now(dt.UTC) + jobs.LEASE + dt.timedelta(minutes=1)
        assert jobs.requeue_stale(session, now=later) == 1
        session.commit()
        job = jobs.load(session, job_id)
        job.run_after = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
        session.commit()
    RUNS.clear()
    assert worker.run_one(sessions, "alive")
    assert RUNS == [7]
    with sessions() as session:
        job = jobs.load(session, job_id)
        assert (job.status, job.result, job.attempts) == ("done", {"n": 7}, 2)
    engine.dispose()


def test_jobs_done_days_ago_are_pruned_and_failed_ones_kept(url: str) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as session:
        old = dt.datetime.now(dt.UTC) - jobs.KEEP_DONE - dt.timedelta(hours=1)
        done = jobs.enqueue(session, kind="test.count", payload={"n": 1})
        failed = jobs.enqueue(session, kind="test.fail", payload={})
        recent = jobs.enqueue(session, kind="test.count", payload={"n": 2})
        done.status, done.finished_at = "done", old
        failed.status, failed.finished_at = "failed", old
        recent.status, recent.finished_at = "done", dt.datetime.now(dt.UTC)
        session.commit()
        assert jobs.prune(session) == 1
        session.commit()
        left = {j.id for j in jobs.list_jobs(session, actor=SYSTEM, limit=10).items}
        assert left == {failed.id, recent.id}
    engine.dispose()
