"""Rendered report files: found by the published report they render, or by id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from servicelevel.db.models import ReportFile


def for_report(session: Session, report_id: int) -> ReportFile | None:
    return session.scalars(select(ReportFile).where(ReportFile.report_id == report_id)).first()


def file_by_id(session: Session, file_id: int) -> ReportFile | None:
    return session.get(ReportFile, file_id)


def prune_live(session: Session, *, before: dt.datetime) -> int:
    """Delete the live reports' files made before ``before`` (published reports' files stay)."""
    gone = session.execute(
        delete(ReportFile).where(ReportFile.report_id.is_(None), ReportFile.created_at < before)
    )
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]
