"""Queries about document templates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import DocumentTemplate
from servicelevel.db.repositories.common import Page, paginate


def template_by_id(session: Session, template_id: int) -> DocumentTemplate | None:
    return session.get(DocumentTemplate, template_id)


def template_by_code(session: Session, code: str) -> DocumentTemplate | None:
    query = select(DocumentTemplate).where(DocumentTemplate.code == code)
    return session.scalars(query).one_or_none()


def defaults_for(session: Session, kind: str, language: str) -> list[DocumentTemplate]:
    query = select(DocumentTemplate).where(
        DocumentTemplate.kind == kind,
        DocumentTemplate.language == language,
        DocumentTemplate.is_default.is_(True),
    )
    return list(session.scalars(query))


def list_templates(
    session: Session, *, kind: str | None, offset: int, limit: int
) -> Page[DocumentTemplate]:
    query = select(DocumentTemplate).order_by(DocumentTemplate.kind, DocumentTemplate.code)
    if kind:
        query = query.where(DocumentTemplate.kind == kind)
    return paginate(session, query, offset, limit)
