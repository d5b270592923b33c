"""A ticket export in: its events stored, and (when asked) the customers it names created.

An export names customers by the codes its mapping's lookup gives them; a code the database
does not know is an error naming it, unless the import is asked to create such customers
(with the code as their name, to be completed later). Both happen in the caller's one
transaction: a failed import leaves no customer behind.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelevel.db.repositories import parties as party_repo
from servicelevel.services import ingestion, parties
from servicelevel.services.permissions import Actor


def import_events(
    session: Session,
    *,
    actor: Actor,
    source: str,
    events: list[ingestion.EventData],
    create_customers: bool = False,
) -> tuple[ingestion.IngestResult, list[str]]:
    """Store the events (see :func:`ingestion.ingest`); returns what was stored and the codes
    of the customers created."""
    created: list[str] = []
    if create_customers:
        named = {e.customer for e in events if e.customer}
        known = party_repo.customer_codes(session, named)
        for code in sorted(named - set(known)):
            data = parties.PartyData(code=code, kind="customer", name=code, names={})
            parties.create_party(session, actor=actor, data=data)
            created.append(code)
        session.flush()
    result = ingestion.ingest(session, actor=actor, source=source, events=events)
    return result, created
