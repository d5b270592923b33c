"""Writing the audit trail: one row per change, inside the change's own transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared.errors import Conflict


def record(
    session: Session,
    actor: Actor,
    action: str,
    obj: Any,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add an audit row for ``obj`` (flushed with the change; committed or rolled back with it)."""
    session.flush()
    session.add(
        AuditEntry(
            actor_id=actor.user_id,
            action=action,
            object_type=obj.__tablename__,
            object_id=str(obj.id),
            before=before,
            after=after,
        )
    )
    session.flush()


def record_update(
    session: Session,
    actor: Actor,
    obj: Any,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    """The audit row of a change to ``obj`` — none when nothing changed. A change that changes
    nothing writes no row, so the stored row is not updated and its version is not checked on
    flush: the version the caller read is confirmed against the stored row instead (locking it
    until the transaction ends), so a stale one is a conflict whether or not anything would
    change."""
    if before != after:
        record(session, actor, "update", obj, before, after)
        return
    session.flush()
    table = type(obj).__table__
    stored = session.execute(
        select(table.c.version).where(table.c.id == obj.id).with_for_update()
    ).scalar_one_or_none()
    if stored != obj.version:
        raise _stale(obj, stored)


def record_bulk(
    session: Session, actor: Actor, action: str, object_type: str, summary: dict[str, Any]
) -> None:
    """One audit row for a bulk change (an import), with what and how much in ``after``."""
    session.add(
        AuditEntry(
            actor_id=actor.user_id,
            action=action,
            object_type=object_type,
            object_id="*",
            before=None,
            after=summary,
        )
    )
    session.flush()


def record_bulk_for(
    session: Session, entries: list[tuple[int | None, str, str, dict[str, Any]]]
) -> None:
    """Several bulk rows at once, each ``(user id, action, object type, summary)`` — for work
    done later on someone's behalf (the worker storing queued events), flushed with the rest."""
    session.add_all(
        AuditEntry(
            actor_id=user_id,
            action=action,
            object_type=object_type,
            object_id="*",
            before=None,
            after=summary,
        )
        for user_id, action, object_type, summary in entries
    )


def check_version(obj: Any, expected: int) -> None:
    """Optimistic concurrency: refuse a change based on a version that is no longer current."""
    if obj.version != expected:
        raise _stale(obj, obj.version)


def _stale(obj: Any, current: int | None) -> Conflict:
    return Conflict(
        "{kind} {id} was changed by someone else (now version {version}); reload it and "
        "apply your change again",
        "version",
        kind=obj.__tablename__,
        id=obj.id,
        version=current,
    )


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields of ``obj`` as plain JSON values."""
    return {f: _plain(getattr(obj, f)) for f in fields}


def changed_parts(
    before: dict[str, Any], after: dict[str, Any], keep: tuple[str, ...] = ()
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``before`` and ``after`` cut down to what differs (nested mappings to the keys that
    differ in them), plus the ``keep`` fields that say what the entry is about."""
    old: dict[str, Any] = {k: before[k] for k in keep if k in before}
    new: dict[str, Any] = {k: after[k] for k in keep if k in after}
    for key in dict.fromkeys([*before, *after]):
        a, b = before.get(key), after.get(key)
        if key in keep or a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            old[key], new[key] = changed_parts(a, b)
            continue
        if key in before:
            old[key] = a
        if key in after:
            new[key] = b
    return old, new


def _plain(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
