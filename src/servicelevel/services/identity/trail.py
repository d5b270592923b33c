"""Reading the audit trail (there is no way to change or delete an entry).

:func:`list_audit` gives the stored entries (the API); :func:`read_trail` gives them as people
read them (the page): who acted, with their name and roles; what, with the object's name where it
still exists; and the fields that changed, before and after, nested values by their path.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from servicelevel.db.repositories import audit as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Invalid


@dataclass(frozen=True)
class Change:
    """One field that changed: ``path`` is its name, with the keys it sits under for nested
    values (``("targets", "P1-resolution", "within")``); ``before`` and ``after`` are the stored
    values (None where there was nothing)."""

    path: tuple[str, ...]
    before: Any
    after: Any


@dataclass(frozen=True)
class Who:
    user_id: int | None  # None: the system itself (jobs, demo loading)
    name: str
    username: str
    roles: list[tuple[str, str]]  # (role, party code or "")


@dataclass(frozen=True)
class TrailEntry:
    id: int
    at: dt.datetime
    who: Who
    action: str
    object_type: str
    object_id: str
    object_name: str  # "" once the object is gone, or for a bulk change ("*")
    changes: list[Change]


@dataclass(frozen=True)
class Trail:
    page: Page[TrailEntry]
    users: list[tuple[int, str]]  # everyone who appears in the trail, to filter by
    object_types: list[str]


def list_audit(
    session: Session,
    *,
    actor: Actor,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> Page[AuditEntry]:
    """Entries newest first, by object, user and period (``since`` inclusive, ``until``
    exclusive)."""
    require(actor, "audit.read")
    if since is not None and until is not None and until <= since:
        raise Invalid("the period ends before it starts", "until")
    return repo.list_entries(
        session,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        offset=offset,
        limit=limit,
        since=since,
        until=until,
    )


def read_trail(
    session: Session,
    *,
    actor: Actor,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Trail:
    """One page of the trail as the audit page shows it (a fixed number of queries)."""
    found = list_audit(
        session,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
    )
    people = repo.people(session, {e.actor_id for e in found.items if e.actor_id is not None})
    names = repo.object_names(session, {(e.object_type, e.object_id) for e in found.items})
    items = [
        TrailEntry(
            id=e.id,
            at=e.at,
            who=_who(e.actor_id, people),
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            object_name=names.get((e.object_type, e.object_id), ""),
            changes=changes(e.before, e.after),
        )
        for e in found.items
    ]
    return Trail(
        Page(items, found.total, found.offset, found.limit), *choices(session, actor=actor)
    )


def choices(session: Session, *, actor: Actor) -> tuple[list[tuple[int, str]], list[str]]:
    """What the trail can be filtered by: the users and the kinds of object in it."""
    require(actor, "audit.read")
    return repo.actors(session), repo.object_types(session)


def no_entries(session: Session, *, actor: Actor, limit: int = 50) -> Trail:
    """The trail's filters without entries (for a page whose filters could not be read)."""
    return Trail(Page([], 0, 0, limit), *choices(session, actor=actor))


def _who(user_id: int | None, people: dict[int, repo.Person]) -> Who:
    if user_id is None:
        return Who(None, "", "", [])
    person = people.get(user_id)
    if person is None:  # a user row is never deleted, but say so rather than fail
        return Who(user_id, f"#{user_id}", "", [])
    return Who(user_id, person.display_name or person.username, person.username, person.roles)


def changes(
    before: dict[str, Any] | None, after: dict[str, Any] | None, path: tuple[str, ...] = ()
) -> list[Change]:
    """The fields that differ between two snapshots, nested mappings by the path to each
    field. A missing side (a creation, a removal) counts as empty: every field it has on the
    other side is listed, except empty ones."""
    old, new = before or {}, after or {}
    out: list[Change] = []
    for key in dict.fromkeys([*old, *new]):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        where = (*path, str(key))
        if _mapping_or_none(a) and _mapping_or_none(b):
            out += changes(a, b, where)
        elif not (_empty(a) and _empty(b)):
            out.append(Change(where, a, b))
    return out


def _mapping_or_none(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}
