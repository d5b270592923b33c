from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


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
