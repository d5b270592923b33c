"""A ticket export in (a file, or a source's records posted to a webhook or pulled by a
connector): its events stored, and (when asked) the customers it names created.

An export names customers by the codes its mapping's lookup gives them; a code the database
does not know is an error naming it, unless the import is asked to create such customers
(with the code as their name, to be completed later). Both happen in the caller's one
transaction: a failed import leaves no customer behind.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.repositories import parties as party_repo
from servicelevel.definitions.ticket_mappings import Mapping, map_records
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.intake import ingestion
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.intake.events import EventData
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.errors import Invalid


def import_events(
    session: Session,
    *,
    actor: Actor,
    source: str,
    events: list[EventData],
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


MAX_RECORDS = 5000  # per call, as a batch of events


def import_records(
    session: Session,
    *,
    actor: Actor,
    mapping: Mapping,
    records: list[dict[str, Any]],
    create_customers: bool = False,
) -> tuple[ingestion.IngestResult, list[str]]:
    """A source system's own records (posted to a webhook, pulled by a connector) read with a
    mapping — its lookups give each ticket its customer and service, as a file import's do —
    and stored like an import (customers it names created when asked). All or nothing: a
    record that cannot be read, or names an unknown customer, is listed by its position."""
    require(actor, "ticket.write")
    if len(records) > MAX_RECORDS:
        raise Invalid("send between 1 and 5000 records", "records")
    rows, rejected = map_records(records, mapping)
    if rejected:
        error = Invalid(
            "{count} event(s) cannot be stored, so none of the batch was",
            "records",
            count=len(rejected),
        )
        error.details = [{"row": r.line, "field": "records", "message": r.reason} for r in rejected]
        raise error
    events = [EventData(**{k: v for k, v in r.items() if k != "line"}) for r in rows]
    if not events:
        return ingestion.IngestResult(len(records), 0, 0, 0, 0), []
    try:
        return import_events(
            session,
            actor=actor,
            source=mapping.model.source,
            events=events,
            create_customers=create_customers,
        )
    except Invalid as exc:  # name the records posted, not the events read from them
        for problem in exc.details or []:
            problem["row"] = rows[int(str(problem["row"])) - 1]["line"]
        raise


def import_named(
    session: Session,
    *,
    actor: Actor,
    mapping: str,
    records: list[dict[str, Any]],
    create_customers: bool = False,
) -> tuple[ingestion.IngestResult, list[str]]:
    """:func:`import_records` with the shipped or stored mapping of that name (a webhook's):
    who may write tickets is checked before the name is looked up."""
    require(actor, "ticket.write")
    chosen = ticket_mappings_store.mapping_named(session, mapping)
    return import_records(
        session, actor=actor, mapping=chosen, records=records, create_customers=create_customers
    )
