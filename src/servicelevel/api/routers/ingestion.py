"""/api/v1/ticket-events: ticket events in, one or a batch (idempotent, all or nothing);
/api/v1/webhooks/{mapping}: a source's own records; /api/v1/ticket-mappings: stored mappings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordId
from servicelevel.api.schemas.common import AwareInstant, PageOut, page_of_list
from servicelevel.services.intake import inbox as event_inbox
from servicelevel.services.intake import ingestion
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.intake import records as ticket_import
from servicelevel.services.intake.events import EventData
from servicelevel.services.shared.errors import Invalid

router = APIRouter(tags=["monitoring"])


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ticket: str = Field(min_length=1, max_length=100, description="The ticket's number")
    at: AwareInstant
    state: str = Field(min_length=1, max_length=60, description="The state after the event")
    event: str = Field(default="", max_length=60, description="created, responded, resolved…")
    service: str = Field(default="", max_length=64, description="Needed on a new ticket")
    customer: str = Field(default="", max_length=64, description="A party code")
    priority: str = Field(default="", max_length=40)
    category: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=500)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, max_length=40, description="The system the tickets are in")
    events: list[EventIn] = Field(min_length=1, max_length=5000)


class IngestOut(BaseModel):
    received: int
    stored: int
    duplicates: int
    tickets_created: int
    tickets_changed: int


@router.post("/ticket-events", response_model=IngestOut)
def ingest(body: BatchIn, session: SessionDep, actor: ActorDep) -> IngestOut:
    """Store ticket events: one or many, in any order; the same event twice is stored once; a
    batch with a bad event stores nothing and lists every bad one (``details``)."""
    events = [EventData(**e.model_dump()) for e in body.events]
    result = ingestion.ingest(session, actor=actor, source=body.source, events=events)
    commit(session)
    return IngestOut(**result.__dict__)


class QueuedOut(BaseModel):
    id: int
    status: Literal["queued", "stored", "rejected"]
    source: str
    received: int
    received_at: dt.datetime
    processed_at: dt.datetime | None
    result: dict[str, Any]


def _queued(row: Any) -> QueuedOut:
    return QueuedOut(
        id=row.id,
        status=row.status,
        source=row.source,
        received=len(row.events.get("items", [])),
        received_at=row.received_at,
        processed_at=row.processed_at,
        result=row.result,
    )


@router.post("/ticket-events/queue", response_model=QueuedOut, status_code=202)
def queue_events(body: BatchIn, session: SessionDep, actor: ActorDep) -> QueuedOut:
    """Accept ticket events for storing by the worker within seconds (one row written; for
    feeds that send one event a request). The answer's ``id`` tells the outcome later."""
    events = [EventData(**e.model_dump()) for e in body.events]
    now = dt.datetime.now(dt.UTC)
    inbox_id = event_inbox.accept(session, actor=actor, source=body.source, events=events, now=now)
    commit(session)
    return QueuedOut(
        id=inbox_id,
        status="queued",
        source=body.source.strip(),
        received=len(events),
        received_at=now,
        processed_at=None,
        result={},
    )


@router.get("/ticket-events/queue/{inbox_id}", response_model=QueuedOut)
def queued_events(inbox_id: RecordId, session: SessionDep, actor: ActorDep) -> QueuedOut:
    """A queued request: ``queued``, ``stored`` (with the counts) or ``rejected`` (with every
    bad event named, as the batch path names them)."""
    return _queued(event_inbox.get(session, actor=actor, inbox_id=inbox_id))


Records = list[dict[str, Any]]


class WebhookOut(IngestOut):
    customers_created: list[str] = Field(
        default=[], description="Codes of the customers created (create_customers=true)"
    )


MappingName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")]


@router.post("/webhooks/{mapping}", response_model=WebhookOut)
def source_webhook(
    mapping: MappingName,
    body: dict[str, Any] | Records,
    session: SessionDep,
    actor: ActorDep,
    create_customers: bool = False,
) -> WebhookOut:
    """A source system posts its own records (one object, a list, or ``{"records": [...]}``),
    read with the shipped (``servicenow``, ``jira``, ``generic``, ``zammad``) or stored mapping
    of that name (``/api/v1/ticket-mappings``): its lookups give each ticket its customer and
    service, as a file import's do. A customer the database does not know is a 422 naming it,
    unless ``create_customers=true`` creates it (named by its code, to complete later).
    Authenticated by an API token like every call."""
    records = body if isinstance(body, list) else body.get("records", [body])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise Invalid("records must be JSON objects", "records")
    if not 1 <= len(records) <= 5000:
        raise Invalid("send between 1 and 5000 records", "records")
    result, created = ticket_import.import_named(
        session, actor=actor, mapping=mapping, records=records, create_customers=create_customers
    )
    commit(session)
    return WebhookOut(**result.__dict__, customers_created=created)


class TicketMappingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    name: str
    shipped: bool = Field(description="Shipped with servicelevel (read-only) or stored")
    source: str = Field(description="The source system the mapping reads (its tickets' source)")
    definition: str = Field(description="The mapping's YAML (docs/formats.md)")


class TicketMappingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    definition: str = Field(min_length=1, max_length=65536, description="The mapping's YAML")


class TicketMappingPut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    definition: str = Field(min_length=1, max_length=65536, description="The mapping's YAML")


@router.get("/ticket-mappings", response_model=PageOut[TicketMappingOut])
def list_ticket_mappings(
    session: SessionDep, actor: ActorDep, offset: Offset = 0, limit: Limit = 50
) -> PageOut[TicketMappingOut]:
    """The shipped mappings and the stored ones a webhook or a connection can read with."""
    found = ticket_mappings_store.list_mappings(session, actor=actor)
    return page_of_list([TicketMappingOut.model_validate(m) for m in found], offset, limit)


@router.post("/ticket-mappings", response_model=TicketMappingOut, status_code=201)
def create_ticket_mapping(
    body: TicketMappingIn, session: SessionDep, actor: ActorDep
) -> TicketMappingOut:
    """Store a mapping under a name (not a shipped one's); its YAML is checked first, a
    mistake named by its line."""
    made = ticket_mappings_store.create_mapping(
        session, actor=actor, name=body.name, definition=body.definition
    )
    commit(session)
    return TicketMappingOut.model_validate(made)


@router.get("/ticket-mappings/{name}", response_model=TicketMappingOut)
def get_ticket_mapping(name: MappingName, session: SessionDep, actor: ActorDep) -> TicketMappingOut:
    found = ticket_mappings_store.show_mapping(session, actor=actor, name=name)
    return TicketMappingOut.model_validate(found)


@router.put("/ticket-mappings/{name}", response_model=TicketMappingOut)
def replace_ticket_mapping(
    name: MappingName, body: TicketMappingPut, session: SessionDep, actor: ActorDep
) -> TicketMappingOut:
    """Replace a stored mapping's YAML (shipped mappings cannot be changed: store a copy)."""
    found = ticket_mappings_store.update_mapping(
        session, actor=actor, name=name, definition=body.definition
    )
    commit(session)
    return TicketMappingOut.model_validate(found)


@router.delete("/ticket-mappings/{name}", status_code=204)
def delete_ticket_mapping(name: MappingName, session: SessionDep, actor: ActorDep) -> Response:
    ticket_mappings_store.delete_mapping(session, actor=actor, name=name)
    commit(session)
    return Response(status_code=204)
