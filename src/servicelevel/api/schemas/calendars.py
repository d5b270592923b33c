from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    definition: dict[str, Any] = Field(
        description="A calendar in the file format of docs/formats.md"
    )


class CalendarPut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int = Field(ge=1, le=2**63 - 1)
    definition: dict[str, Any]


class CalendarOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    timezone: str
    definition: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ElapsedOut(BaseModel):
    seconds: int
    text: str


class DeadlineOut(BaseModel):
    deadline: dt.datetime
