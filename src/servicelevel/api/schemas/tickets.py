from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TicketEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    seq: int
    at: dt.datetime
    state: str
    event: str
    changes: dict[str, Any]


class TicketOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    source: str
    external_id: str
    service: str
    customer_id: int | None
    priority: str
    category: str
    state: str
    title: str
    opened_at: dt.datetime
    last_event_at: dt.datetime


class TicketDetailOut(TicketOut):
    events: list[TicketEventOut]


class MeasurementOut(BaseModel):
    """A target's clock for the ticket, as of the agreement's last recomputation."""

    model_config = ConfigDict(from_attributes=True)
    agreement_id: int
    agreement: str
    version_number: int
    target_key: str
    status: str
    used_seconds: int
    paused_seconds: int
    budget_seconds: int
    started_at: dt.datetime | None
    stopped_at: dt.datetime | None
    deadline: dt.datetime | None
    breached_at: dt.datetime | None
    computed_at: dt.datetime


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: dt.datetime
    state: str
    event: str
    mode: str = Field(
        description="pending, running, paused, stopped, cancelled; closed or open for the "
        "calendar; version for the agreement version applied"
    )
    cause: str = Field(description="Why, in English (the template `why` filled with `params`).")
    why: str
    params: dict[str, Any]
    changes: str


class ExplanationOut(BaseModel):
    """How one target's clock ran for the ticket, event by event, and why."""

    model_config = ConfigDict(from_attributes=True)
    agreement: str
    version_number: int = Field(validation_alias="version")
    target: str
    steps: list[StepOut]


class ClockOut(BaseModel):
    """The ticket's headline clock in the queue: the open clock nearest its deadline, else a
    paused, pending, breached, met or cancelled one (of the agreements the reader sees)."""

    agreement_id: int
    agreement: str
    target: str
    status: str = Field(
        description="running, at_risk (deadline within 4 hours), overdue, paused, pending, "
        "met, breached or cancelled"
    )
    deadline: dt.datetime | None
    left_seconds: int | None = Field(
        description="Real seconds to the deadline while the clock runs (negative once "
        "overdue); the working seconds left on a paused clock's budget; null once decided"
    )
    used: float | None = Field(description="Share of the budget used, 1.0 = all of it")


class QueueTicketOut(TicketOut):
    customer: str = Field(description="The customer's party code")
    clock: ClockOut | None


class QueuePageOut(BaseModel):
    items: list[QueueTicketOut]
    total: int
    offset: int
    limit: int
    page: int
    pages: int
    sort: str
