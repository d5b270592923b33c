"""A job's lease: a minute, renewed by a heartbeat while the job runs, so a killed worker's job
(and the alerts of its agreement, which wait for it) is taken over within about a minute while a
long job is never taken from a worker that is alive."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from sqlalchemy.orm import Session

from servicelevel.db.models import Job
from servicelevel.db.session import make_engine, session_factory
from servicelevel.jobs import worker
from servicelevel.services.shared import jobs
from tests.integration.services.shared.test_jobs import RUNS, url  # noqa: F401 (the fixture)

STARTED = threading.Event()
RELEASE = threading.Event()
UTC = dt.UTC


@jobs.handler("test.slow")
def _slow(session: Session, job: Job) -> dict[str, Any]:
    """Runs until the test releases it (or 30 s), without writing to its own row."""
    STARTED.set()
    RELEASE.wait(timeout=30)
    RUNS.append(int(job.payload["n"]))
    return {"n": job.payload["n"]}


def claimed_by(sessions: Any, job_id: int) -> tuple[str, str, dt.datetime | None]:
    with sessions() as session:
        job = jobs.load(session, job_id)
        return job.status, job.claimed_by, job.claimed_at


def test_the_lease_is_a_minute_renewed_three_times_in_it() -> None:
    assert dt.timedelta(minutes=1) >= jobs.LEASE
    assert jobs.HEARTBEAT * 3 <= jobs.LEASE


def test_a_job_whose_worker_stopped_heartbeating_is_taken_over_after_the_lease(url: str) -> None:  # noqa: F811
    engine = make_engine(url)
    sessions = session_factory(engine)
    t0 = dt.datetime.now(UTC) + dt.timedelta(minutes=1)  # the job is due by then
    with sessions() as session:
        job_id = jobs.enqueue(session, kind="test.count", payload={"n": 1}).id
        session.commit()
        assert jobs.claim(session, worker="dead", now=t0) is not None
        session.commit()
        # a second before the lease runs out nobody may take it
        assert jobs.requeue_stale(session, now=t0 + jobs.LEASE - dt.timedelta(seconds=1)) == 0
        assert jobs.claim(session, worker="alive", now=t0 + jobs.LEASE) is None
        # a minute and a second after, it is queued again and due at once: no back-off
        later = t0 + dt.timedelta(seconds=61)
        assert jobs.requeue_stale(session, now=later) == 1
        session.commit()
        taken = jobs.claim(session, worker="alive", now=later)
        session.commit()
        assert taken is not None
        assert taken.id == job_id
        assert (taken.claimed_by, taken.attempts) == ("alive", 2)
        assert "worker dead stopped before finishing" in taken.error
    engine.dispose()


def test_a_heartbeat_renews_the_lease_of_its_own_worker_only(url: str) -> None:  # noqa: F811
    engine = make_engine(url)
    sessions = session_factory(engine)
    t0 = dt.datetime.now(UTC) + dt.timedelta(minutes=1)  # the job is due by then
    beat = t0 + dt.timedelta(seconds=50)
    with sessions() as session:
        job_id = jobs.enqueue(session, kind="test.count", payload={"n": 2}).id
        session.commit()
        jobs.claim(session, worker="w1", now=t0)
        session.commit()
        assert jobs.renew(session, job_id=job_id, worker="w2", now=beat) is False
        assert jobs.renew(session, job_id=job_id, worker="w1", now=beat) is True
        session.commit()
        # counted from the heartbeat, not from the claim
        assert jobs.requeue_stale(session, now=beat + jobs.LEASE - dt.timedelta(seconds=1)) == 0
        assert jobs.requeue_stale(session, now=beat + jobs.LEASE + dt.timedelta(seconds=1)) == 1
        session.commit()
        # the job is no longer w1's: its late heartbeat renews nothing
        assert jobs.renew(session, job_id=job_id, worker="w1", now=beat) is False
    engine.dispose()


def test_the_next_worker_pass_takes_over_a_job_abandoned_a_lease_ago(url: str) -> None:  # noqa: F811
    engine = make_engine(url)
    sessions = session_factory(engine)
    abandoned = dt.datetime.now(UTC) - jobs.LEASE - dt.timedelta(seconds=5)
    with sessions() as session:
        job_id = jobs.enqueue(session, kind="test.count", payload={"n": 3}).id
        session.commit()
        killed = jobs.claim(session, worker="killed")
        assert killed is not None
        killed.claimed_at = abandoned  # its last heartbeat, a lease and five seconds ago
        session.commit()
        assert claimed_by(sessions, job_id)[:2] == ("running", "killed")
    RUNS.clear()
    assert worker.run_one(sessions, "alive")
    assert RUNS == [3]
    assert claimed_by(sessions, job_id)[:2] == ("done", "alive")
    engine.dispose()


def test_a_long_job_keeps_its_lease_while_its_heartbeat_runs(url: str) -> None:  # noqa: F811
    if url.startswith("sqlite"):
        pytest.skip("on SQLite a running job holds the write lock: see the test below")
    engine = make_engine(url)
    sessions = session_factory(engine)
    lease = dt.timedelta(seconds=2)
    with sessions() as session:
        job_id = jobs.enqueue(session, kind="test.slow", payload={"n": 4}).id
        session.commit()
    RUNS.clear()
    STARTED.clear()
    RELEASE.clear()
    busy = threading.Thread(
        target=worker.run_one, args=(sessions, "busy"), kwargs={"heartbeat": lease / 20}
    )
    busy.start()
    try:
        assert STARTED.wait(timeout=30)
        first = claimed_by(sessions, job_id)[2]
        assert first is not None
        renewed = first
        deadline = dt.datetime.now(UTC) + dt.timedelta(seconds=30)
        while renewed < first + lease * 1.5 and dt.datetime.now(UTC) < deadline:
            RELEASE.wait(timeout=0.05)  # poll; the job itself waits on RELEASE
            renewed = claimed_by(sessions, job_id)[2] or first
        # the job has run longer than its lease, and the heartbeat has kept it
        assert renewed >= first + lease * 1.5
        with sessions() as session:
            assert jobs.requeue_stale(session, lease=lease) == 0
            assert jobs.claim(session, worker="thief") is None
            session.commit()
        assert claimed_by(sessions, job_id)[:2] == ("running", "busy")
    finally:
        RELEASE.set()
        busy.join(timeout=30)
    assert RUNS == [4]
    assert claimed_by(sessions, job_id)[:2] == ("done", "busy")
    engine.dispose()


def test_on_sqlite_a_running_job_holds_the_database_and_its_heartbeat_waits(
    url: str,  # noqa: F811
) -> None:
    if not url.startswith("sqlite"):
        pytest.skip("PostgreSQL renews the lease while the job runs: see the test above")
    engine = make_engine(url)
    sessions = session_factory(engine)
    with sessions() as session:
        job_id = jobs.enqueue(session, kind="test.slow", payload={"n": 5}).id
        session.commit()
    RUNS.clear()
    STARTED.clear()
    RELEASE.clear()
    busy = threading.Thread(
        target=worker.run_one, args=(sessions, "busy"), kwargs={"heartbeat": dt.timedelta(0.05)}
    )
    busy.start()
    assert STARTED.wait(timeout=30)
    RELEASE.wait(timeout=0.5)  # heartbeats queue up behind the job's write lock meanwhile
    RELEASE.set()
    busy.join(timeout=30)
    assert RUNS == [5]
    assert claimed_by(sessions, job_id)[:2] == ("done", "busy")
    engine.dispose()
