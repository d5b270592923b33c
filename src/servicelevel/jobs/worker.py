"""The worker loop: claim a job (its own short transaction), run it (another transaction),
record the outcome. Several workers, on several machines, share the queue without doing
anything twice. While a job runs, a heartbeat renews its lease on a connection of its own; a
worker killed mid-job stops renewing it, and another worker takes the job over once the lease
(a minute) has run out."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import Job
from servicelevel.jobs import report_pdfs  # noqa: F401 (registers the PDF job's handler)
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.intake import inbox as event_inbox
from servicelevel.services.intake import pulls
from servicelevel.services.monitoring import (
    alerts,
    availability_alerts,
    recompute,  # noqa: F401 (registers the handlers)
)
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.notifications import notices
from servicelevel.services.reporting import files as report_files
from servicelevel.services.reporting import schedules as report_schedules
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import invitation_mail
from servicelevel.services.reviews import invitations as survey_invitations
from servicelevel.services.reviews import schedule as review_schedule
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.webhooks import DeliveryError
from servicelevel.settings import get_settings

Sessions = Callable[[], Session]
log = logging.getLogger(__name__)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """Renews the lease of the job a worker runs, every ``every``, from a thread of its own
    (each renewal its own short transaction), until the job's outcome is committed.

    On PostgreSQL a job whose transaction has written its own row needs no renewal (the row
    lock keeps other workers off it) and the renewal skips it. On SQLite the job's transaction
    holds the database's write lock, so a renewal waits its turn and may time out, which is
    harmless: no other worker can take the job over while that lock is held either."""

    def __init__(self, sessions: Sessions, job_id: int, worker: str, every: dt.timedelta) -> None:
        self.sessions, self.job_id, self.worker = sessions, job_id, worker
        self.every = every.total_seconds()
        self.beats = 0  # renewals that took
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with self.sessions() as session:
                    renewed = jobs.renew(session, job_id=self.job_id, worker=self.worker)
                    session.commit()
            except SQLAlchemyError as exc:  # busy or unreachable: try again at the next beat
                log.debug("lease of job %s not renewed: %s", self.job_id, exc)
                continue
            self.beats += renewed


def run_one(sessions: Sessions, worker: str, *, heartbeat: dt.timedelta = jobs.HEARTBEAT) -> bool:
    """Run the next due job, if there is one; says whether there was."""
    with sessions() as session:
        jobs.requeue_stale(session)
        job = jobs.claim(session, worker=worker)
        session.commit()
        if job is None:
            return False
        job_id = job.id
    with Heartbeat(sessions, job_id, worker, heartbeat):
        _run_claimed(sessions, job_id)
    return True


def _run_claimed(sessions: Sessions, job_id: int) -> None:
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


AVAILABILITY_EVERY = 300.0  # seconds between availability and burn-rate checks


def sweep(sessions: Sessions, *, availability: bool = False) -> dict[str, int]:
    """Fire the alerts that are due (and, when asked, check availability targets), then
    deliver the notices that are due. Each step commits on its own; no transaction is open
    while a mail server or webhook answers."""
    stored = drain_inbox(sessions)
    with sessions() as session:
        fired = alerts.fire_due(session, now=utcnow())
        session.commit()
    fired.update(stored)
    fired["connections_queued"] = queue_connections(sessions)
    if availability:
        with sessions() as session:
            fired.update(availability_alerts.check(session, now=utcnow()))
            fired["jobs_pruned"] = jobs.prune(session)
            fired["report_files_pruned"] = report_files.prune(session, now=utcnow())
            session.commit()
        fired.update(review_round(sessions))
        fired.update(survey_round(sessions))
    fired["reports_sent"] = send_reports(sessions)
    with sessions() as session:
        parcels = notifications.claim_due(session, now=utcnow())
        session.commit()
    results = {p.notice_id: notifications.send(p, now=utcnow()) for p in parcels}
    with sessions() as session:
        outcome = notifications.record(session, results, now=utcnow())
        session.commit()
    return {**fired, "sent": outcome.sent, "retrying": outcome.retrying, "failed": outcome.failed}


def queue_connections(sessions: Sessions) -> int:
    """Queue a pull of every connection whose interval has elapsed (each pull is then a job,
    run like any other: a pull asked for through the API or the CLI is the same job)."""
    with sessions() as session:
        queued = pulls.queue_due(session, now=utcnow())
        session.commit()
    return len(queued)


INBOX_ROUNDS = 50  # at most this many rounds of queued events per sweep (2,000 requests each)


def drain_inbox(sessions: Sessions) -> dict[str, int]:
    """Store the ticket events waiting in the queue, a round (one transaction) at a time."""
    total = {"queue_stored": 0, "queue_rejected": 0}
    for _ in range(INBOX_ROUNDS):
        with sessions() as session:
            done = event_inbox.drain(session, now=utcnow())
            session.commit()
        total["queue_stored"] += done["stored"]
        total["queue_rejected"] += done["rejected"]
        if not done["stored"] and not done["rejected"]:
            break
    return total


def review_round(sessions: Sessions) -> dict[str, int]:
    """Keep a review scheduled for every agreement in force, remind chairs a week ahead, and
    announce actions past their due date (each once)."""
    with sessions() as session:
        now = utcnow()
        scheduled = len(review_schedule.schedule_due(session, actor=SYSTEM, now=now))
        reminded = review_schedule.remind_due(session, now=now)
        overdue = review_actions.notify_overdue(session, now=now)
        session.commit()
    return {
        "reviews_scheduled": scheduled,
        "reviews_reminded": reminded,
        "actions_overdue": overdue,
    }


def survey_round(sessions: Sessions) -> dict[str, int]:
    """Invite whoever the agreements' survey policies say is due, then mail the invitations
    (no transaction open while the mail server answers); a failed mail is tried again."""
    with sessions() as session:
        invited = survey_invitations.invite_due(session, now=utcnow())
        parcels = invitation_mail.claim_unsent(session, now=utcnow())
        session.commit()
    base = get_settings().public_url
    results = {p.invitation_id: _mail_invitation(p, base) for p in parcels}
    with sessions() as session:
        sent = invitation_mail.record_sent(session, results, now=utcnow())
        session.commit()
    return {"surveys_invited": invited, "surveys_sent": sent}


def _mail_invitation(parcel: invitation_mail.Parcel, base: str) -> str | None:
    locale = parcel.language.replace("-", "_")
    mail = invitation_mail.message(parcel, base)
    try:
        notifications.send_email(parcel.email, mail, locale, f"survey-{parcel.invitation_id}")
    except DeliveryError as exc:
        return str(exc)
    return None


def send_reports(sessions: Sessions) -> int:
    """Publish the reports whose schedule is due and mail them with their PDF; each run is
    recorded as sent or failed (with why)."""
    with sessions() as session:
        runs = report_schedules.claim_due(session, utcnow())
        session.commit()
    sent = 0
    for run in runs:
        error = run.error or None
        if not error:
            error = _mail(run)
        with sessions() as session:
            report_schedules.record(session, run, error=error, now=utcnow())
            session.commit()
        sent += error is None
    return sent


@jobs.handler(report_schedules.RUN_NOW)
def run_schedule_now(session: Session, job: Job) -> dict[str, Any]:
    """A schedule a manager ran now: published, mailed and recorded as a scheduled run is
    (the mail goes out inside the job's transaction; a job retried after a crash between the
    mail and the commit may mail twice, which a trial run can bear)."""
    run = report_schedules.requested_run(session, job, utcnow())
    delivery = report_schedules.record(session, run, error=run.error or _mail(run), now=utcnow())
    return {"delivery_id": delivery.id, "status": delivery.status, "period": delivery.period}


def _mail(run: report_schedules.Run) -> str | None:
    """One mail per group of recipients sharing a zone (the send time is named in it)."""
    from servicelevel.reports.pdf import pdf_of  # WeasyPrint (~0.5 s): only when a report is mailed

    locale = run.language.replace("-", "_")
    name = f"{run.facts.get('agreement', 'report')}-{run.period}.pdf"
    pdf = pdf_of(run.html)
    for zone, emails in (run.zones or {"UTC": run.emails}).items():
        message = notices.compose("report", {**run.facts, "attached": "yes"}, locale, zone)
        try:
            notifications.send_email(
                ", ".join(emails),
                message,
                locale,
                f"report-{run.report_id}",
                ((name, pdf, "application/pdf"),),
            )
        except DeliveryError as exc:
            return str(exc)
    return None


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
