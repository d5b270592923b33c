from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1)
    password: str = Field(min_length=1)
    name: str = Field(default="api", max_length=100)
    expires_at: dt.datetime | None = None


class TokenOut(BaseModel):
    token: str
    note: str = "shown once: store it now"


class MeOut(BaseModel):
    id: int | None
    username: str
    roles: list[str]
    parties: list[int]


class SettingsIn(BaseModel):
    """The acting user's language (en, zh-Hans, zh-Hant) and IANA time zone."""

    model_config = ConfigDict(extra="forbid")
    locale: str = Field(max_length=16)
    timezone: str = Field(max_length=64)


class SettingsOut(BaseModel):
    locale: str
    timezone: str
    zone_chosen: bool  # false while the zone is still the placeholder UTC of a new account


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    old_password: str
    new_password: str


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: dt.datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
