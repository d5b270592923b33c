"""Reading the audit trail (there is no way to change or delete an entry)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from servicelevel.db.repositories import audit as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.permissions import Actor, require


def list_audit(
    session: Session,
    *,
    actor: Actor,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[AuditEntry]:
    require(actor, "audit.read")
    return repo.list_entries(
        session,
        object_type=object_type,
        object_id=object_id,
        actor_id=actor_id,
        offset=offset,
        limit=limit,
    )
