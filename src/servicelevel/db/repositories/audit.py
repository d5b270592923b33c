"""Queries over the audit trail (read-only: nothing here changes an entry)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from servicelevel.db.repositories.common import Page, paginate


def list_entries(
    session: Session,
    *,
    object_type: str | None,
    object_id: str | None,
    actor_id: int | None,
    offset: int,
    limit: int,
) -> Page[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    return paginate(session, query, offset, limit)
