from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.schemas.common import LockVersion, LockVersionOut

Kind = Literal["customer", "internal_team", "supplier"]


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    kind: Kind
    name: str = Field(min_length=1, max_length=200)
    names: dict[str, str] = {}
    description: str = Field(default="", max_length=2000)


class PartyPatch(BaseModel):
    """Fields to change; an absent or null field stays as it is."""

    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    code: str | None = Field(default=None, min_length=1, max_length=64)
    kind: Kind | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    names: dict[str, str] | None = None
    description: str | None = Field(default=None, max_length=2000)


class PartyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    kind: str
    name: str
    names: dict[str, str]
    description: str
    lock_version: LockVersionOut
    created_at: dt.datetime
    updated_at: dt.datetime
