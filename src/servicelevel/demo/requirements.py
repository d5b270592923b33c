"""A demo requirement: Fabrikam asks for point-of-sale fixes faster than any option offers, so
its analysis shows the gap and raises a change request."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories import requirements as repo
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.requirements import capture as requirements
from servicelevel.services.requirements.capture import RequestedTargetData, RequirementData

CODE = "SLR-FABRIKAM-001"


def load_demo_requirements(session: Session) -> int:
    """Add the demo requirement if it is missing (and its parts are there)."""
    customer = party_repo.party_by_code(session, "FABRIKAM")
    service = catalog_repo.service_by_code(session, "pos")
    if repo.requirement_by_code(session, CODE) is not None or customer is None or not service:
        return 0
    data = RequirementData(
        CODE,
        customer.id,
        service.id,
        "Tills fixed within two hours on Saturdays",
        "Saturday sales are a third of the week's; a till down for a day costs more than a year "
        "of the Gold option.",
        "Jordan Kim, store operations",
        (
            RequestedTargetData("resolution", 0.99, "P1", "2h"),
            RequestedTargetData("availability", 0.995),
        ),
    )
    found = requirements.capture(session, actor=SYSTEM, data=data)
    session.flush()
    requirements.analyse(session, actor=SYSTEM, requirement_id=found.id, version=found.version)
    return 1
