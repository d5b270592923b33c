"""The job that renders report PDFs for the worker (see services.reporting.files)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Job
from servicelevel.services.reporting import files as report_files
from servicelevel.services.shared import jobs


@jobs.handler(report_files.KIND)
def render_pdfs(session: Session, job: Job) -> dict[str, Any]:
    """Render and keep the PDFs the job asks for (WeasyPrint is imported only when needed)."""
    from servicelevel.reports.pdf import pdf_of

    return report_files.run(session, job, pdf_of)
