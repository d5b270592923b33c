"""The worker loop: claim a job (its own short transaction), run it (another transaction),
record the outcome. Several workers, on several machines, share the queue without doing
anything twice; a worker killed mid-job leaves its job to be queued again after the lease."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from servicelevel.services import jobs, recompute  # noqa: F401 (registers the handlers)
from servicelevel.services.errors import ServiceError

Sessions = Callable[[], Session]


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def run_one(sessions: Sessions, worker: str) -> bool:
    """Run the next due job, if there is one; says whether there was."""
    with sessions() as session:
        jobs.requeue_stale(session)
        job = jobs.claim(session, worker=worker)
        session.commit()
        if job is None:
            return False
        job_id = job.id
    with sessions() as session:
        job = jobs.load(session, job_id)
        try:
            result = jobs.HANDLERS[job.kind](session, job)
        except (ServiceError, KeyError, ValueError) as exc:
            session.rollback()
            job = jobs.load(session, job_id)
            jobs.fail(session, job, str(exc) or exc.__class__.__name__)
        else:
            jobs.finish(session, job, result)
        session.commit()
    return True


def run(sessions: Sessions, *, once: bool = False, idle: float = 2.0) -> int:
    """Work until stopped (or, with ``once``, until the queue is empty); jobs run."""
    worker, done = worker_name(), 0
    while True:
        if run_one(sessions, worker):
            done += 1
            continue
        if once:
            return done
        time.sleep(idle)
