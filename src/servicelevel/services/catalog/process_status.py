"""Where the SLM process stands for each service.

The process for a service is *closed* when its catalog entry is published and an SLA covering
it is in operation (a version in force, the agreement active or expiring); until then it is
*open*, and the page says what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import Service
from servicelevel.db.repositories import agreements as agreement_repo


@dataclass(frozen=True)
class ProcessStatus:
    closed: bool
    missing: tuple[str, ...]  # "published catalog entry", "SLA in operation"


def process_status(session: Session, services: list[Service]) -> dict[int, ProcessStatus]:
    """The process status of each service, in one query."""
    operating = agreement_repo.services_in_operation(session, [s.id for s in services])
    out = {}
    for service in services:
        missing = []
        if service.status != "published":
            missing.append("published catalog entry")
        if service.id not in operating:
            missing.append("SLA in operation")
        out[service.id] = ProcessStatus(not missing, tuple(missing))
    return out
