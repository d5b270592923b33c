"""Rendered report files: found by the published report they render, or by id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import ReportFile


def for_report(session: Session, report_id: int) -> ReportFile | None:
    return session.scalars(select(ReportFile).where(ReportFile.report_id == report_id)).first()


def file_by_id(session: Session, file_id: int) -> ReportFile | None:
    return session.get(ReportFile, file_id)
