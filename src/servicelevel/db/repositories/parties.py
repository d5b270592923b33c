"""Queries about parties."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Party, RoleAssignment
from servicelevel.db.repositories.common import Page, paginate


def party_by_id(session: Session, party_id: int) -> Party | None:
    return session.get(Party, party_id)


def party_by_code(session: Session, code: str) -> Party | None:
    return session.scalars(select(Party).where(Party.code == code)).one_or_none()


def references_to(session: Session, party_id: int) -> int:
    """How many records point at the party (roles of users who represent it, contacts aside)."""
    query = select(func.count()).where(RoleAssignment.party_id == party_id)
    return int(session.scalar(query) or 0)


def list_parties(
    session: Session,
    *,
    kind: str | None,
    search: str | None,
    only: Collection[int] | None,
    offset: int,
    limit: int,
) -> Page[Party]:
    query = select(Party).order_by(Party.code)
    if kind:
        query = query.where(Party.kind == kind)
    if search:
        like = f"%{search}%"
        query = query.where(or_(Party.code.ilike(like), Party.name.ilike(like)))
    if only is not None:
        query = query.where(Party.id.in_(list(only)))
    return paginate(session, query, offset, limit)


def customer_codes(session: Session, codes: set[str]) -> dict[str, int]:
    """Customer ids by code, for the codes that name a customer."""
    if not codes:
        return {}
    query = select(Party.code, Party.id).where(Party.code.in_(codes), Party.kind == "customer")
    return {str(c): int(i) for c, i in session.execute(query)}


def names(session: Session, party_ids: Collection[int]) -> dict[int, str]:
    query = select(Party.id, Party.name).where(Party.id.in_(list(party_ids)))
    return {int(i): str(n) for i, n in session.execute(query)}
