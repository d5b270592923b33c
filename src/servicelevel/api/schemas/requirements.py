"""Shapes of service level requirements, change requests, demand and what-if."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from servicelevel.api.schemas.common import Id, LockVersion, LockVersionOut
from servicelevel.definitions.resources import percent

Metric = Literal["response", "resolution", "availability"]


class RequestedTargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric: Metric
    objective: Annotated[float, BeforeValidator(percent)] = Field(
        gt=0, le=1, description='A fraction (0.95) or a percentage ("95%").'
    )
    priority: str = Field(default="", max_length=40)
    within: str = Field(default="", max_length=40, description="Empty for availability.")


class RequestedTargetOut(RequestedTargetIn):
    model_config = ConfigDict(from_attributes=True)
    outcome: str
    analysis: dict[str, Any]


class RequirementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=64)
    customer_id: Id
    service_id: Id
    title: str = Field(min_length=1, max_length=300)
    justification: str = Field(default="", max_length=4000)
    requester: str = Field(default="", max_length=200)
    targets: list[RequestedTargetIn] = Field(min_length=1, max_length=50)


class RequirementPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    code: str | None = Field(default=None, min_length=1, max_length=64)
    customer_id: Id | None = None
    service_id: Id | None = None
    title: str | None = Field(default=None, min_length=1, max_length=300)
    justification: str | None = Field(default=None, max_length=4000)
    requester: str | None = Field(default=None, max_length=200)
    targets: list[RequestedTargetIn] | None = Field(default=None, min_length=1, max_length=50)


class VersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    decision: Literal["agreed", "rejected"]
    note: str = Field(default="", max_length=2000)


class ChangeRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    requirement_id: int
    title: str
    details: dict[str, Any]
    status: str
    external_ref: str
    delivery: str
    attempts: int
    last_error: str
    sent_at: dt.datetime | None
    lock_version: LockVersionOut
    created_at: dt.datetime


class ChangeRequestPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    status: Literal["open", "accepted", "rejected", "implemented"]
    external_ref: str | None = Field(default=None, max_length=200)


class RequirementSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    customer_id: int
    service_id: int
    title: str
    status: str
    lock_version: LockVersionOut
    updated_at: dt.datetime


class RequirementOut(RequirementSummaryOut):
    justification: str
    requester: str
    analysed_at: dt.datetime | None
    decided_at: dt.datetime | None
    decision_note: str
    created_at: dt.datetime
    targets: list[RequestedTargetOut]
    change_requests: list[ChangeRequestOut] = []


class DemandOut(BaseModel):
    metric: str
    priority: str
    within: str
    objective: float
    requirements: list[str]


class ComplianceOut(BaseModel):
    met: int
    breached: int
    open: int
    within: float | None
    objective_met: bool | None
    percentiles: dict[str, int]


class WhatIfOut(BaseModel):
    service: str
    period: str
    metric: str
    priority: str
    within: str
    objective: float
    clock_from: str
    tickets: int
    compliance: ComplianceOut | None
    availability: float | None
