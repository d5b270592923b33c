"""A live report's PDF, rendered by the worker: the page that follows the job (HTMX polls
its progress) and the file once it is ready, for the person who asked for it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.services.reporting import files as report_files
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.downloads import pdf_response
from servicelevel.web.pages import render

router = APIRouter()


@router.get("/report-pdfs/{job_id}")
def pdf_job_page(request: Request, job_id: int, visitor: UserDep, db: SessionDep) -> Response:
    """The job's page: its state and progress, and the file when it is done."""
    return _job(request, job_id, visitor, db, "agreements/pdf_job.html")


@router.get("/report-pdfs/{job_id}/status")
def pdf_job_status(request: Request, job_id: int, visitor: UserDep, db: SessionDep) -> Response:
    """The job's state alone, polled by its page until the job has finished."""
    return _job(request, job_id, visitor, db, "agreements/pdf_job_status.html")


@router.get("/report-pdfs/{job_id}/file")
def pdf_job_file(job_id: int, visitor: UserDep, db: SessionDep) -> Response:
    """The PDF the job rendered, from storage."""
    kept = report_files.live_file(db, actor=visitor.actor, job_id=job_id)
    return pdf_response(kept.content, kept.name)


def _job(request: Request, job_id: int, visitor: UserDep, db: SessionDep, page: str) -> Response:
    job = report_files.live_job(db, actor=visitor.actor, job_id=job_id)
    return render(request, page, actor=visitor.actor, job=job, labels=labels)
