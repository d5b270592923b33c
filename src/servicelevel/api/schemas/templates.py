"""Shapes of document templates."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.schemas.common import LockVersion, LockVersionOut

Kind = Literal["SLA", "OLA", "UC", "report"]
Language = Literal["en", "zh-Hans", "zh-Hant"]


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    kind: Kind
    language: Language
    name: str = Field(min_length=1, max_length=200)
    body: str | None = Field(
        default=None, max_length=200_000, description="Markdown; omitted: the standard template"
    )
    is_default: bool = False


class TemplatePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    name: str | None = Field(default=None, min_length=1, max_length=200)
    body: str | None = Field(default=None, min_length=1, max_length=200_000)
    is_default: bool | None = None


class TemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    kind: str
    language: str
    name: str
    body: str
    is_default: bool
    lock_version: LockVersionOut
    updated_at: dt.datetime
