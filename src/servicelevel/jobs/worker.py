"""The worker loop: claim a job (its own short transaction), run it (another transaction),
record the outcome. Several workers, on several machines, share the queue without doing
anything twice; a worker killed mid-job leaves its job to be queued again after the lease."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.services import (
    alerts,
    availability_alerts,
    jobs,
    notifications,
    recompute,  # noqa: F401 (registers the handlers)
)
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


AVAILABILITY_EVERY = 300.0  # seconds between availability and burn-rate checks


def sweep(sessions: Sessions, *, availability: bool = False) -> dict[str, int]:
    """Fire the alerts that are due (and, when asked, check availability targets), then
    deliver the notices that are due. Each step commits on its own; no transaction is open
    while a mail server or webhook answers."""
    with sessions() as session:
        fired = alerts.fire_due(session, now=utcnow())
        session.commit()
    if availability:
        with sessions() as session:
            fired.update(availability_alerts.check(session, now=utcnow()))
            fired["jobs_pruned"] = jobs.prune(session)
            session.commit()
    with sessions() as session:
        parcels = notifications.claim_due(session, now=utcnow())
        session.commit()
    results = {p.notice_id: notifications.send(p, now=utcnow()) for p in parcels}
    with sessions() as session:
        outcome = notifications.record(session, results, now=utcnow())
        session.commit()
    return {**fired, "sent": outcome.sent, "retrying": outcome.retrying, "failed": outcome.failed}


def run(sessions: Sessions, *, once: bool = False, idle: float = 2.0) -> int:
    """Work until stopped (or, with ``once``, until the queue is empty): jobs run, and every
    ``idle`` seconds due alerts fire and due notices go out."""
    worker, done = worker_name(), 0
    last_sweep = last_check = -AVAILABILITY_EVERY
    while True:
        if time.monotonic() - last_sweep >= idle:
            check = time.monotonic() - last_check >= AVAILABILITY_EVERY
            sweep(sessions, availability=check)
            last_sweep = time.monotonic()
            last_check = last_sweep if check else last_check
        if run_one(sessions, worker):
            done += 1
            continue
        if once:
            sweep(sessions, availability=True)
            return done
        time.sleep(idle)
