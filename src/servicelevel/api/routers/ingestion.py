"""/api/v1/ticket-events: ticket events in, one or a batch (idempotent, all or nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import RecordId
from servicelevel.api.schemas.common import AwareInstant
from servicelevel.services import event_inbox, ingestion
from servicelevel.services.errors import Invalid

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
    events = [ingestion.EventData(**e.model_dump()) for e in body.events]
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
    events = [ingestion.EventData(**e.model_dump()) for e in body.events]
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


@router.post("/webhooks/{mapping}", response_model=IngestOut)
def source_webhook(
    mapping: Literal["servicenow", "jira", "generic"],
    body: dict[str, Any] | Records,
    session: SessionDep,
    actor: ActorDep,
) -> IngestOut:
    """A source system posts its own records (one object, a list, or ``{"records": [...]}``),
    read with the shipped mapping of that name: ServiceNow incident fields, Jira issue-history
    fields, or the generic columns. Authenticated by an API token like every call."""
    records = body if isinstance(body, list) else body.get("records", [body])
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise Invalid("records must be JSON objects", "records")
    if not 1 <= len(records) <= 5000:
        raise Invalid("send between 1 and 5000 records", "records")
    result = ingestion.ingest_records(session, actor=actor, mapping=mapping, records=records)
    commit(session)
    return IngestOut(**result.__dict__)
