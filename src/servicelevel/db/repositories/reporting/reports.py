"""Queries about published service reports."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, ServiceReport
from servicelevel.db.repositories.common import Page, paginate


def report_by_id(session: Session, report_id: int) -> ServiceReport | None:
    return session.get(ServiceReport, report_id)


def last_revision(session: Session, agreement_id: int, period: str) -> int:
    """The highest revision of the report (agreement × period) in any language."""
    query = select(func.max(ServiceReport.revision)).where(
        ServiceReport.agreement_id == agreement_id,
        ServiceReport.period == period,
    )
    return int(session.scalar(query) or 0)


def list_reports(
    session: Session,
    *,
    agreement_id: int | None,
    only_parties: Collection[int] | None,
    offset: int,
    limit: int,
) -> Page[ServiceReport]:
    query = select(ServiceReport).order_by(
        ServiceReport.published_at.desc(), ServiceReport.id.desc()
    )
    if agreement_id is not None:
        query = query.where(ServiceReport.agreement_id == agreement_id)
    if only_parties is not None:
        mine = select(Agreement.id).where(Agreement.counterparty_id.in_(list(only_parties)))
        query = query.where(ServiceReport.agreement_id.in_(mine))
    return paginate(session, query, offset, limit)


REVISION_COLUMNS = (
    ServiceReport.id,
    ServiceReport.period,
    ServiceReport.revision,
    ServiceReport.language,
    ServiceReport.version_number,
    ServiceReport.note,
    ServiceReport.published_at,
)


def revision_rows(session: Session, agreement_id: int) -> list[tuple[Any, ...]]:
    """``(id, period, revision, language, version, note, published)`` of every published
    report of the agreement, newest period and revision first (no rendering loaded)."""
    query = (
        select(*REVISION_COLUMNS)
        .where(ServiceReport.agreement_id == agreement_id)
        .order_by(
            ServiceReport.period.desc(), ServiceReport.revision.desc(), ServiceReport.language
        )
    )
    return [tuple(row) for row in session.execute(query)]
