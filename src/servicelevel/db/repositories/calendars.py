"""Queries about calendars."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import CalendarRecord
from servicelevel.db.repositories.common import Page, paginate


def calendar_by_id(session: Session, calendar_id: int) -> CalendarRecord | None:
    return session.get(CalendarRecord, calendar_id)


def calendar_by_code(session: Session, code: str) -> CalendarRecord | None:
    return session.scalars(select(CalendarRecord).where(CalendarRecord.code == code)).one_or_none()


def list_calendars(
    session: Session, *, search: str | None, offset: int, limit: int
) -> Page[CalendarRecord]:
    query = select(CalendarRecord).order_by(CalendarRecord.code)
    if search:
        like = f"%{search}%"
        query = query.where(or_(CalendarRecord.code.ilike(like), CalendarRecord.name.ilike(like)))
    return paginate(session, query, offset, limit)
