"""The service level manager's work list: what the process's triggers ask to be done.

A trigger raises a work item at most once while it is open (approving the same service twice
does not ask twice); an item stays on the list until someone with the right to do SLM work marks
it done, with a note of what was done.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import WorkItem
from servicelevel.db.models.work import WORK_KINDS
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import text

KINDS = WORK_KINDS
CHANGES = ("strategy", "capability", "resources")
FIELDS = (
    "kind", "trigger", "details", "service_id", "agreement_id", "status", "done_by_id", "note",
)  # fmt: skip


def raise_item(
    session: Session,
    *,
    actor: Actor,
    kind: str,
    trigger: str,
    service_id: int,
    details: dict[str, Any] | None = None,
) -> WorkItem:
    """Put ``kind`` for the service on the work list unless it is there already."""
    existing = repo.open_work_item(session, kind, service_id)
    if existing is not None:
        return existing
    item = WorkItem(kind=kind, trigger=trigger, service_id=service_id, details=details or {})
    session.add(item)
    audit.record(session, actor, "create", item, None, audit.snapshot(item, FIELDS))
    return item


def raise_agreement_item(
    session: Session, *, actor: Actor, kind: str, trigger: str, agreement_id: int
) -> WorkItem:
    """Put ``kind`` for an agreement on the work list unless it is there already."""
    existing = repo.open_agreement_item(session, kind, agreement_id)
    if existing is not None:
        return existing
    item = WorkItem(kind=kind, trigger=trigger, agreement_id=agreement_id, details={})
    session.add(item)
    audit.record(session, actor, "create", item, None, audit.snapshot(item, FIELDS))
    return item


def record_change(
    session: Session, *, actor: Actor, change: str, description: str
) -> list[WorkItem]:
    """A material change of strategy, capability or resources: every service in the catalog
    (approved or published) gets its SLA reviewed."""
    require(actor, "work.trigger")
    if change not in CHANGES:
        raise Invalid("change must be one of strategy, capability, resources", "change")
    description = text(description, "description", required=True)
    services = repo.list_services(
        session,
        status=None,
        statuses=("approved", "published"),
        category=None,
        search=None,
        offset=0,
        limit=10_000,
    ).items
    details = {"change": change, "description": description}
    return [
        raise_item(
            session,
            actor=actor,
            kind="review_sla",
            trigger=f"change_of_{change}",
            service_id=s.id,
            details=details,
        )
        for s in services
    ]


def list_work(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    service_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[WorkItem]:
    """The work list; ``status`` "open" leaves out, and "done" includes, a "define the SLA" item
    whose service an SLA in operation covers already (the item was raised when the service was
    approved; the SLA signed since is what it asked for)."""
    require(actor, "work.read")
    return repo.list_work_items(
        session,
        status=status,
        service_id=service_id,
        offset=offset,
        limit=limit,
        covered=agreement_repo.services_in_operation(session, None),
    )


def settled_items(session: Session, items: list[WorkItem]) -> set[int]:
    """The open items among ``items`` that count as done (see :func:`list_work`)."""
    waiting = [i for i in items if i.status == "open" and i.kind == "define_sla" and i.service_id]
    services = {i.service_id for i in waiting if i.service_id is not None}
    covered = agreement_repo.services_in_operation(session, services) if services else set()
    return {i.id for i in waiting if i.service_id in covered}


def get_work_item(session: Session, *, actor: Actor, item_id: int) -> WorkItem:
    require(actor, "work.read")
    item = repo.work_item_by_id(session, item_id)
    if item is None:
        raise NotFound("no work item {id}", id=item_id)
    return item


def complete(
    session: Session, *, actor: Actor, item_id: int, version: int, note: str = ""
) -> WorkItem:
    """Mark a work item done (who and when are recorded)."""
    require(actor, "work.write")
    item = get_work_item(session, actor=actor, item_id=item_id)
    audit.check_version(item, version)
    if item.status == "done":
        raise Conflict("work item {id} is done already", "status", id=item.id)
    before = audit.snapshot(item, FIELDS)
    item.status = "done"
    item.done_at = utcnow()
    item.done_by_id = actor.user_id
    item.note = text(note, "note")
    audit.record(session, actor, "complete", item, before, audit.snapshot(item, FIELDS))
    return item
