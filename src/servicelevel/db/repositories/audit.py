"""Queries over the audit trail (read-only: nothing here changes an entry)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.base import Base
from servicelevel.db.models import (
    Agreement,
    AgreementVersion,
    AuditEntry,
    Party,
    RoleAssignment,
    User,
)
from servicelevel.db.repositories.common import Page, paginate

# the column that names a row, by preference (a row of a table without any is named by its id)
NAMING_COLUMNS = ("code", "username", "external_id", "name", "title", "key")


@dataclass(frozen=True)
class Person:
    """Who acted: a user with their roles (``role`` or ``role@PARTY``)."""

    id: int
    username: str
    display_name: str
    roles: list[tuple[str, str]]  # (role, party code or "")


def list_entries(
    session: Session,
    *,
    object_type: str | None,
    object_id: str | None,
    actor_id: int | None,
    offset: int,
    limit: int,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Page[AuditEntry]:
    """Entries newest first; ``since`` inclusive, ``until`` exclusive."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    if since is not None:
        query = query.where(AuditEntry.at >= since)
    if until is not None:
        query = query.where(AuditEntry.at < until)
    return paginate(session, query, offset, limit)


def people(session: Session, user_ids: Collection[int]) -> dict[int, Person]:
    """Users by id with their roles, in two queries."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    users = session.execute(
        select(User.id, User.username, User.display_name).where(User.id.in_(ids))
    )
    out = {int(i): Person(int(i), str(u), str(d or ""), []) for i, u, d in users}
    roles = session.execute(
        select(RoleAssignment.user_id, RoleAssignment.role, Party.code)
        .outerjoin(Party, Party.id == RoleAssignment.party_id)
        .where(RoleAssignment.user_id.in_(ids))
        .order_by(RoleAssignment.id)
    )
    for user_id, role, party in roles:
        out[int(user_id)].roles.append((str(role), str(party or "")))
    return out


def actors(session: Session) -> list[tuple[int, str]]:
    """Every user who appears in the trail, ``(id, display name or username)`` by name."""
    query = (
        select(User.id, User.username, User.display_name)
        .where(User.id.in_(select(AuditEntry.actor_id).distinct()))
        .order_by(User.username)
    )
    return [(int(i), str(d or u)) for i, u, d in session.execute(query)]


def object_types(session: Session) -> list[str]:
    """The kinds of object the trail holds."""
    query = select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    return [str(t) for t in session.scalars(query)]


def object_names(
    session: Session, wanted: Collection[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """What names each ``(object type, id)`` that still exists (its code, name, number…): one
    query per kind of object. A version is named by its agreement's code and its number."""
    by_type: dict[str, set[int]] = {}
    for kind, ident in wanted:
        if ident.isdigit() and len(ident) < 19:
            by_type.setdefault(kind, set()).add(int(ident))
    out: dict[tuple[str, str], str] = {}
    for kind, ids in by_type.items():
        for row_id, name in _names_of(session, kind, ids):
            out[(kind, str(row_id))] = name
    return out


def _names_of(session: Session, kind: str, ids: set[int]) -> list[tuple[int, str]]:
    if kind == "agreement_version":
        query: Any = (
            select(AgreementVersion.id, Agreement.code, AgreementVersion.number)
            .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
            .where(AgreementVersion.id.in_(ids))
        )
        return [(int(i), f"{code} v{number}") for i, code, number in session.execute(query)]
    model = _model(kind)
    column = next((c for c in NAMING_COLUMNS if model is not None and hasattr(model, c)), None)
    if model is None or column is None:
        return []
    query = select(model.id, getattr(model, column)).where(model.id.in_(ids))
    return [(int(i), str(name)) for i, name in session.execute(query) if name]


def _model(table: str) -> Any:
    for mapper in Base.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table and hasattr(mapper.class_, "id"):
            return mapper.class_
    return None
