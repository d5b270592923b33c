from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.schemas.common import LockVersion, LockVersionOut


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    definition: dict[str, Any] = Field(
        description="A calendar in the file format of docs/formats.md"
    )


class CalendarPut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    definition: dict[str, Any]


class CalendarOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    timezone: str
    definition: dict[str, Any]
    lock_version: LockVersionOut
    created_at: dt.datetime
    updated_at: dt.datetime


class ElapsedOut(BaseModel):
    seconds: int
    text: str


class DeadlineOut(BaseModel):
    deadline: dt.datetime
