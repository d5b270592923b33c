"""Queries about users, roles and tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import case, func, or_, select, update
from sqlalchemy.orm import Session

from servicelevel.db.models import ApiToken, RoleAssignment, User
from servicelevel.db.repositories.common import Page, paginate


def user_by_name(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def reserve_login(
    session: Session, username: str, limit: int, now: dt.datetime, locked_until: dt.datetime
) -> tuple[int, str] | None:
    """Count one sign-in attempt before its password is checked, in one statement: the id and
    password hash of an active, unlocked user, or None (unknown, disabled or locked).

    The attempt counts as a failure until :func:`clear_failed_logins` says otherwise; the
    ``limit``-th locks the account until ``locked_until`` and starts the count again. Attempts
    made at once are serialised by the row's lock, so no more than ``limit`` passwords are
    checked before the lock holds (a read of the lock followed by a later write let thirty
    parallel guesses through)."""
    reached = User.failed_logins + 1 >= limit
    row = session.execute(
        update(User)
        .where(
            User.username == username,
            User.is_active.is_(True),
            or_(User.locked_until.is_(None), User.locked_until <= now),
        )
        .values(
            failed_logins=case((reached, 0), else_=User.failed_logins + 1),
            locked_until=case((reached, locked_until), else_=None),
        )
        .returning(User.id, User.password_hash)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    return None if row is None else (row[0], row[1])


def clear_failed_logins(session: Session, user_id: int, password_hash: str | None) -> None:
    """A right password: the count starts again and a lock set meanwhile ends (and the hash
    is replaced when it was made with older Argon2 parameters)."""
    values: dict[str, object] = {"failed_logins": 0, "locked_until": None}
    if password_hash is not None:
        values["password_hash"] = password_hash
    query = update(User).where(User.id == user_id).values(values)
    session.execute(query.execution_options(synchronize_session="evaluate"))


def next_session_generation(session: Session, user_id: int) -> None:
    """End the user's browser sessions (they carry the generation they were signed under)."""
    query = update(User).where(User.id == user_id)
    values = {"session_generation": User.session_generation + 1}
    session.execute(query.values(values).execution_options(synchronize_session="evaluate"))


def revoke_tokens_of(session: Session, user_id: int, now: dt.datetime) -> int:
    """Revoke every live token of a user; how many were."""
    query = update(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    query = query.values(revoked_at=now).execution_options(synchronize_session=False)
    done = session.execute(query)
    return int(done.rowcount)  # type: ignore[attr-defined]


def roles_of(session: Session, user_id: int) -> list[RoleAssignment]:
    query = select(RoleAssignment).where(RoleAssignment.user_id == user_id)
    return list(session.scalars(query.order_by(RoleAssignment.id)))


def token_user_roles(
    session: Session, token_hash: str
) -> tuple[ApiToken, User, list[RoleAssignment]] | None:
    """A token, its user and the user's roles in one query (this runs on every API request)."""
    query = (
        select(ApiToken, User, RoleAssignment)
        .join(User, User.id == ApiToken.user_id)
        .outerjoin(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(ApiToken.token_hash == token_hash)
        .order_by(RoleAssignment.id)
    )
    rows = session.execute(query).all()
    if not rows:
        return None
    token, user = rows[0][0], rows[0][1]
    return token, user, [r[2] for r in rows if r[2] is not None]


def tokens_of(session: Session, user_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user_id)))


def list_users(session: Session, *, search: str | None, offset: int, limit: int) -> Page[User]:
    query = select(User).order_by(User.username)
    if search:
        like = f"%{search}%"
        query = query.where(or_(User.username.ilike(like), User.display_name.ilike(like)))
    return paginate(session, query, offset, limit)


def roles_of_users(session: Session, user_ids: list[int]) -> dict[int, list[RoleAssignment]]:
    """Roles of many users in one query (for lists)."""
    out: dict[int, list[RoleAssignment]] = {u: [] for u in user_ids}
    query = select(RoleAssignment).where(RoleAssignment.user_id.in_(user_ids))
    for r in session.scalars(query.order_by(RoleAssignment.id)):
        out[r.user_id].append(r)
    return out


def users_with_role(session: Session, role: str) -> list[User]:
    """Active users holding ``role`` (e.g. the managers an agreement can be assigned to)."""
    query = (
        select(User)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.role == role, User.is_active.is_(True))
        .distinct()
        .order_by(User.username)
    )
    return list(session.scalars(query))


def representatives(session: Session, party_id: int) -> list[tuple[User, str]]:
    """Active users holding a role for ``party_id`` (its representatives), with the role."""
    query = (
        select(User, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(RoleAssignment.party_id == party_id, User.is_active.is_(True))
        .order_by(User.username)
    )
    return [(user, str(role)) for user, role in session.execute(query)]


def display_names(session: Session, user_ids: Collection[int]) -> dict[int, str]:
    """``id → display name`` (the username where none is set)."""
    query = select(User.id, User.display_name, User.username).where(User.id.in_(list(user_ids)))
    return {int(i): str(d or u) for i, d, u in session.execute(query)}


def zones_of_emails(session: Session, emails: Collection[str]) -> dict[str, str]:
    """``address (lower case) → time zone`` of the active users with these addresses."""
    wanted = sorted({e.strip().lower() for e in emails if e.strip()})
    if not wanted:
        return {}
    query = select(User.email, User.timezone).where(
        func.lower(User.email).in_(wanted), User.is_active.is_(True)
    )
    return {str(e).lower(): str(z) for e, z in session.execute(query.order_by(User.id))}
