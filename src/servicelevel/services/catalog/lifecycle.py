"""A service's lifecycle: draft → approved → published → retired, and revising back to draft.

Approving a new or changed service is a trigger of the SLM process: it puts "define the SLA" or
"review the SLA" for the service on the service level manager's work list.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import Service
from servicelevel.services.catalog.offerings import get_service, service_snapshot
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import Conflict, Invalid

# transition → (permission, states it may start from, state it ends in)
TRANSITIONS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "approve": ("catalog.approve", ("draft",), "approved"),
    "publish": ("catalog.write", ("approved",), "published"),
    "retire": ("catalog.approve", ("approved", "published"), "retired"),
    "revise": ("catalog.write", ("approved", "published"), "draft"),
}


def change_status(
    session: Session, *, actor: Actor, service_id: int, version: int, transition: str
) -> Service:
    """Move a service along its lifecycle; an impossible step is a conflict naming the state."""
    if transition not in TRANSITIONS:
        raise Invalid("transition must be one of approve, publish, retire, revise", "transition")
    permission, sources, target = TRANSITIONS[transition]
    require(actor, permission)
    service = get_service(session, actor=actor, service_id=service_id)
    audit.check_version(service, version)
    if service.status not in sources:
        raise Conflict(
            "service {code} is {status}: {transition} is not possible from there",
            "status",
            code=service.code,
            status=service.status,
            transition=transition,
        )
    if transition == "approve":
        _check_approvable(service)
    before = service_snapshot(service)
    first_approval = service.approved_at is None
    now = utcnow()
    service.status = target  # every change of the step in one flush: one new version
    if transition == "approve":
        service.approved_at, service.approved_by_id = now, actor.user_id
    elif transition == "publish":
        service.published_at = now
    elif transition == "retire":
        service.retired_at = now
    audit.record(session, actor, transition, service, before, service_snapshot(service))
    if transition == "approve":
        work.raise_item(
            session,
            actor=actor,
            kind="define_sla" if first_approval else "review_sla",
            trigger="service_approved" if first_approval else "service_changed",
            service_id=service.id,
        )
    return service


def _check_approvable(service: Service) -> None:
    if service.calendar_id is None:
        raise Invalid("give the service its service hours (a calendar) first", "calendar_id")
    if not service.options or not any(o.targets for o in service.options):
        raise Invalid("offer at least one service level option with a target first", "options")
