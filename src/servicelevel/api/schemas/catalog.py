"""Shapes of the catalog and work-list resources."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from servicelevel.api.schemas.common import Id, LockVersion, LockVersionOut
from servicelevel.definitions.resources import percent

Metric = Literal["response", "resolution", "availability"]
Status = Literal["draft", "approved", "published", "retired"]
Transition = Literal["approve", "publish", "retire", "revise"]


class OfferedTargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric: Metric
    objective: Annotated[float, BeforeValidator(percent)] = Field(
        gt=0, le=1, description='A fraction (0.95) or a percentage ("95%").'
    )
    priority: str = Field(default="", max_length=40, description="Empty: every priority.")
    within: str = Field(
        default="", max_length=40, description="A duration (4h, 2bd); empty for availability."
    )


class OfferedTargetOut(OfferedTargetIn):
    model_config = ConfigDict(from_attributes=True)


class OptionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    names: dict[str, str] = {}
    targets: list[OfferedTargetIn] = Field(default=[], max_length=100)


class OptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    names: dict[str, str]
    targets: list[OfferedTargetOut]


class OptionsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    options: list[OptionIn] = Field(max_length=20)


class ServiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    names: dict[str, str] = {}
    description: str = Field(default="", max_length=4000)
    descriptions: dict[str, str] = {}
    category: str = Field(default="", max_length=100)
    owner_id: Id | None = None
    calendar_id: Id | None = None
    depends_on: list[Id] = Field(default=[], max_length=100)


class ServicePatch(BaseModel):
    """Fields to change; an absent field stays as it is (``null`` clears owner, hours or
    dependencies)."""

    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    code: str | None = Field(default=None, min_length=1, max_length=64)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    names: dict[str, str] | None = None
    description: str | None = Field(default=None, max_length=4000)
    descriptions: dict[str, str] | None = None
    category: str | None = Field(default=None, max_length=100)
    owner_id: Id | None = None
    calendar_id: Id | None = None
    depends_on: list[Id] | None = Field(default=None, max_length=100)


class LifecycleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    transition: Transition


class DependencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    party_id: int
    description: str


class ServiceSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    names: dict[str, str]
    category: str
    status: Status
    lock_version: LockVersionOut
    updated_at: dt.datetime


class ServiceOut(ServiceSummaryOut):
    description: str
    descriptions: dict[str, str]
    owner_id: int | None
    calendar_id: int | None
    approved_by_id: int | None
    approved_at: dt.datetime | None
    published_at: dt.datetime | None
    retired_at: dt.datetime | None
    created_at: dt.datetime
    options: list[OptionOut]
    dependencies: list[DependencyOut]


class MaterialChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    change: Literal["strategy", "capability", "resources"]
    description: str = Field(min_length=1, max_length=2000)


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    note: str = Field(default="", max_length=2000)


class WorkItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    trigger: str
    details: dict[str, str]
    service_id: int | None
    assignee_role: str
    status: str
    done_at: dt.datetime | None
    done_by_id: int | None
    note: str
    lock_version: LockVersionOut
    created_at: dt.datetime
