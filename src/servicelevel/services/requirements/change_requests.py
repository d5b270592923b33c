"""Change requests: raised when a requirement exceeds the catalog, tracked here, and delivered
to an external change-management system by webhook when one is configured.

Delivery is an outbox: raising a change request marks it ``pending`` inside the requirement's
transaction; :func:`deliver_pending` posts pending ones after commit (the API does so right after
the request, ``slm change-requests deliver`` retries) — a webhook that is down delays delivery,
never loses the request or blocks the analysis. Each POST carries an ``Idempotency-Key`` so a
receiver can ignore a repeat after a lost answer. After five failed attempts a request is
marked ``failed`` and can be retried on demand.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import ChangeRequest, RequestedTarget, ServiceLevelRequirement
from servicelevel.db.models.requirements import CHANGE_STATES
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import requirements as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import text
from servicelevel.services.shared.webhooks import DeliveryError, Post, post_json
from servicelevel.settings import get_settings

STATES = CHANGE_STATES
FIELDS = ("requirement_id", "title", "status", "external_ref", "delivery", "attempts")
MAX_ATTEMPTS = 5


def raise_for(
    session: Session,
    *,
    actor: Actor,
    requirement: ServiceLevelRequirement,
    short: list[RequestedTarget],
) -> ChangeRequest:
    """The change request for a requirement the catalog cannot meet (one open at a time: a
    second analysis updates its details)."""
    details = {
        "requirement": requirement.code,
        "targets": [
            {
                "metric": t.metric,
                "priority": t.priority,
                "within": t.within,
                "objective": t.objective,
                "outcome": t.outcome,
                **t.analysis,
            }
            for t in short
        ],
    }
    existing = [c for c in repo.change_requests_of(session, [requirement.id]) if c.status == "open"]
    if existing:
        existing[0].details = details
        return existing[0]
    service = catalog_repo.service_by_id(session, requirement.service_id)
    change = ChangeRequest(
        requirement_id=requirement.id,
        title=f"Extend the service levels of {service.code if service else '?'} "
        f"for requirement {requirement.code}",
        details=details,
        delivery="pending" if get_settings().change_webhook_url else "not_configured",
    )
    session.add(change)
    audit.record(session, actor, "create", change, None, audit.snapshot(change, FIELDS))
    return change


def get_change_request(session: Session, *, actor: Actor, change_id: int) -> ChangeRequest:
    require(actor, "requirement.read")
    found = repo.change_request_by_id(session, change_id)
    if found is None:
        raise NotFound("no change request {id}", id=change_id)
    if actor.scoped:
        requirement = repo.requirement_by_id(session, found.requirement_id)
        if requirement is None or requirement.customer_id not in actor.parties:
            raise NotFound("no change request {id}", id=change_id)
    return found


def list_change_requests(
    session: Session, *, actor: Actor, status: str | None = None, offset: int = 0, limit: int = 50
) -> Page[ChangeRequest]:
    require(actor, "requirement.read")
    only = actor.parties if actor.scoped else None
    return repo.list_change_requests(
        session, status=status, only_customers=only, offset=offset, limit=limit
    )


def update_status(
    session: Session,
    *,
    actor: Actor,
    change_id: int,
    version: int,
    status: str,
    external_ref: str | None = None,
) -> ChangeRequest:
    """Record what change management decided (accepted, rejected, implemented)."""
    require(actor, "requirement.write")
    if status not in STATES:
        raise Invalid("status must be one of open, accepted, rejected, implemented", "status")
    found = get_change_request(session, actor=actor, change_id=change_id)
    audit.check_version(found, version)
    before = audit.snapshot(found, FIELDS)
    found.status = status
    if external_ref is not None:
        found.external_ref = text(external_ref, "external_ref", limit=200)
    audit.record_update(session, actor, found, before, audit.snapshot(found, FIELDS))
    return found


def retry(session: Session, *, actor: Actor, change_id: int, version: int) -> ChangeRequest:
    """Queue a failed (or never configured) delivery again."""
    require(actor, "requirement.write")
    found = get_change_request(session, actor=actor, change_id=change_id)
    audit.check_version(found, version)
    if not get_settings().change_webhook_url:
        raise Conflict("no change-management webhook is configured (SLM_CHANGE_WEBHOOK_URL)")
    found.delivery, found.attempts, found.last_error = "pending", 0, ""
    return found


@dataclass(frozen=True)
class Delivery:
    sent: int
    failed: int
    pending: int


def payload(change: ChangeRequest) -> dict[str, Any]:
    return {
        "type": "servicelevel.change_request",
        "id": change.id,
        "title": change.title,
        "status": change.status,
        "details": change.details,
        "created_at": change.created_at.isoformat(),
    }


def deliver_pending(session: Session, *, post: Post = post_json) -> Delivery:
    """Send every pending change request to the configured webhook (call after commit)."""
    settings = get_settings()
    sent = failed = 0
    pending = repo.pending_deliveries(session)
    for change in pending:
        headers = {"Idempotency-Key": f"change-request-{change.id}"}
        if settings.change_webhook_token:
            headers["Authorization"] = f"Bearer {settings.change_webhook_token}"
        change.attempts += 1
        try:
            post(settings.change_webhook_url, payload(change), headers)
        except DeliveryError as exc:
            change.last_error = str(exc)[:1000]
            if change.attempts >= MAX_ATTEMPTS:
                change.delivery, failed = "failed", failed + 1
            continue
        change.delivery, change.sent_at, change.last_error = "sent", utcnow(), ""
        sent += 1
    return Delivery(sent, failed, len(pending) - sent - failed)


def of_requirement(session: Session, requirement_id: int) -> list[ChangeRequest]:
    """The change requests a requirement raised (read with the requirement: no extra check)."""
    return repo.change_requests_of(session, [requirement_id])
