from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.schemas.common import AwareInstant


class OutageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: str = Field(min_length=1, max_length=64)
    starts_at: AwareInstant
    ends_at: AwareInstant
    planned: bool = False
    title: str = Field(default="", max_length=500)


class OutageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    service: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    planned: bool
    title: str
    source: str


class AvailabilityOut(BaseModel):
    service: str
    period: str
    calendar: str
    agreed_seconds: int
    downtime_seconds: int
    outages: int
    availability: float | None
    objective: float | None
    objective_met: bool | None
    mttr_seconds: float | None
    mtbf_seconds: float | None
    error_budget_seconds: float | None
    budget_left_seconds: float | None
    burn_rate: float | None
