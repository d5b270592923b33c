from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RoleOut(BaseModel):
    role: str
    party_id: int | None


class UserOut(BaseModel):
    id: int
    username: str
    display_name: str
    email: str
    locale: str
    is_active: bool
    roles: list[RoleOut]


class RoleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(max_length=40)
    party_code: str | None = Field(default=None, max_length=64)


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(max_length=200)
    display_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)
    locale: str = Field(default="en", pattern="^(en|zh_Hans|zh_Hant)$")
    roles: list[RoleIn] = []
