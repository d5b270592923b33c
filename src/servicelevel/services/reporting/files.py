"""Report PDFs off the request path (issue 15): rendering a report's PDF takes seconds, so
the worker does it and the file is kept in the database.

- A published revision's PDFs are rendered once, by a job queued at publication, and served
  from storage ever after; a download that comes before the job has run renders the file
  and keeps it, so each published report is still rendered only once.
- A live report's PDF asked for in the browser is queued as a job for the person who asked;
  the page follows the job's progress and offers the file, which only that person (still
  allowed to see the agreement) can download.

The renderer is passed in (it lives above the services, in ``servicelevel.reports``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicelevel.db.models import Job, ReportFile, ServiceReport
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import jobs as job_repo
from servicelevel.db.repositories.reporting import files as repo
from servicelevel.db.repositories.reporting import reports as report_repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.reporting import compute as service_reports
from servicelevel.services.reporting import rendering as report_rendering
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

KIND = "report.pdf"  # the job that renders report PDFs
LANGUAGES = ("en", "zh-Hans", "zh-Hant")
Render = Callable[[str], bytes]  # HTML → PDF bytes


def queue_published(session: Session, reports: list[ServiceReport]) -> Job:
    """Queue the rendering of a new revision's PDFs (one per language)."""
    return jobs.enqueue(session, kind=KIND, payload={"reports": [r.id for r in reports]})


def published_pdf(session: Session, *, actor: Actor, report_id: int, render: Render) -> ReportFile:
    """A published report's PDF from storage (rendered and kept now if the worker has not
    yet done it); 404 for a report the actor may not see."""
    require(actor, "report.read")
    report = report_repo.report_by_id(session, report_id)
    if report is None:
        raise NotFound("no report {id}", id=report_id)
    try:
        agreements.get_agreement(session, actor=actor, agreement_id=report.agreement_id)
    except NotFound:
        raise NotFound("no report {id}", id=report_id) from None
    return _kept(session, report, render)


def _kept(session: Session, report: ServiceReport, render: Render) -> ReportFile:
    """The stored PDF of ``report``; rendered and stored only when there is none."""
    found = repo.for_report(session, report.id)
    if found is not None:
        return found
    made = ReportFile(
        report_id=report.id,
        agreement_id=report.agreement_id,
        language=report.language,
        name=f"report-{report.agreement_id}-{report.period}-r{report.revision}-{report.language}.pdf",
        content=render(report.html),
    )
    try:
        with session.begin_nested():  # the worker and a download may render it at once
            session.add(made)
    except IntegrityError:  # the other one kept its file first: that one is served
        kept = repo.for_report(session, report.id)
        if kept is None:
            raise
        return kept
    return made


def request_live(
    session: Session, *, actor: Actor, agreement_id: int, period: str, language: str
) -> Job:
    """Queue the rendering of the live report's PDF for ``actor`` (checked now: the agreement
    must be theirs to see and the period valid; the job renders it with their rights)."""
    if language not in LANGUAGES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    if actor.user_id is None:
        raise Invalid("only a signed-in person can ask for a report's PDF", "user")
    label = service_reports.period_label(
        session, actor=actor, agreement_id=agreement_id, period=period
    )
    payload = {
        "agreement_id": agreement_id,
        "period": label,
        "language": language,
        "user_id": actor.user_id,
    }
    return jobs.enqueue(session, kind=KIND, payload=payload)


def run(session: Session, job: Job, render: Render) -> dict[str, Any]:
    """Run a PDF job: a published revision's files, or one live report's file."""
    if "reports" in job.payload:
        return _run_published(session, job, render)
    return _run_live(session, job, render)


def _run_published(session: Session, job: Job, render: Render) -> dict[str, Any]:
    ids = [int(i) for i in job.payload["reports"]]
    stored = []
    for done, report_id in enumerate(ids, start=1):
        report = report_repo.report_by_id(session, report_id)
        if report is not None:  # a report deleted since is not rendered
            stored.append(_kept(session, report, render).id)
        jobs.progress(job, done, len(ids))
    return {"files": stored}


def _run_live(session: Session, job: Job, render: Render) -> dict[str, Any]:
    asked = job.payload
    user = identity_repo.user_by_id(session, int(asked["user_id"]))
    if user is None:
        raise NotFound("no user {id}", id=asked["user_id"])
    actor = identity.actor_for(session, user)
    jobs.progress(job, 0, 2)
    _, html = report_rendering.render_report(
        session,
        actor=actor,
        agreement_id=int(asked["agreement_id"]),
        period=str(asked["period"]),
        language=str(asked["language"]),
    )
    jobs.progress(job, 1, 2)
    made = ReportFile(
        agreement_id=int(asked["agreement_id"]),
        requested_by_id=user.id,
        language=str(asked["language"]),
        name=f"report-{asked['agreement_id']}-{asked['period']}-{asked['language']}.pdf",
        content=render(html),
    )
    session.add(made)
    session.flush()
    jobs.progress(job, 2, 2)
    return {"file_id": made.id}


KEEP_LIVE = dt.timedelta(days=2)  # as long as the job that made it is kept


def prune(session: Session, *, now: dt.datetime) -> int:
    """Forget the live reports' files made more than :data:`KEEP_LIVE` ago (each was one
    person's download; the published reports' files are kept for good)."""
    return repo.prune_live(session, before=now - KEEP_LIVE)


def live_job(session: Session, *, actor: Actor, job_id: int) -> Job:
    """A live report's PDF job, for the person who asked for it (404 for anyone else)."""
    found = job_repo.job_by_id(session, job_id)
    if (
        found is None
        or found.kind != KIND
        or actor.user_id is None
        or found.payload.get("user_id") != actor.user_id
    ):
        raise NotFound("no job {id}", id=job_id)
    return found


def live_file(session: Session, *, actor: Actor, job_id: int) -> ReportFile:
    """The file a finished live job rendered (409 while it is not ready; 404 once the person
    may no longer see the agreement)."""
    job = live_job(session, actor=actor, job_id=job_id)
    if job.status != "done" or "file_id" not in job.result:
        raise Conflict("the PDF of job {id} is not ready", id=job_id)
    found = repo.file_by_id(session, int(job.result["file_id"]))
    if found is None:
        raise NotFound("no job {id}", id=job_id)
    agreements.get_agreement(session, actor=actor, agreement_id=found.agreement_id)
    return found
