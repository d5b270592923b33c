"""Shapes of the agreement resources. Agreement content travels as an agreement document (the
file format of docs/formats.md, as JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.schemas.common import AwareInstant, Id, LockVersion, LockVersionOut

Kind = Literal["SLA", "OLA", "UC"]
Status = Literal[
    "draft", "in_negotiation", "approved", "signed", "active", "expiring", "expired",
    "terminated", "renewed",
]  # fmt: skip
Document = Annotated[
    dict[str, Any], Field(description="An agreement document (docs/formats.md#agreements).")
]


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    document: Document
    manager_id: Id | None = None
    note: str = Field(default="", max_length=2000)


class AgreementPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    manager_id: Id | None = None
    review_frequency: Literal["monthly", "quarterly", "half_yearly", "yearly"] | None = None
    notice_days: int | None = Field(default=None, ge=0, le=730)


class VersionEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    document: Document
    note: str | None = Field(default=None, max_length=2000)


class NewVersionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion = Field(description="The agreement's lock_version.")
    note: str = Field(default="", max_length=2000)


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    step: Literal["propose", "approve", "activate"]
    effective: AwareInstant | None = Field(
        default=None, description="When an activated version comes into force (default: now)."
    )


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    name: str = Field(default="", max_length=200, description="The name as signed.")
    password: str = Field(
        min_length=1,
        max_length=1024,
        description="The signer's password, asked again as the web page asks it: signing binds "
        "the signer's organisation, and a token alone (a script, a session left open) does not "
        "sign. A wrong one counts towards the account's lock-out.",
    )


class TerminateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    reason: str = Field(min_length=1, max_length=2000)


class RenewalIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lock_version: LockVersion
    code: str = Field(min_length=1, max_length=64, description="The renewal's id")
    start: dt.date
    end: dt.date


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    clause: str = Field(default="", max_length=200, description="e.g. targets.P1-resolution")
    body: str = Field(min_length=1, max_length=4000)


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    version_id: int
    clause: str
    body: str
    author_id: int | None
    created_at: dt.datetime


class SignatureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    side: str
    user_id: int
    signed_as: str
    name: str
    signed_at: dt.datetime


class VersionSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    state: str
    note: str
    term_start: dt.date | None
    term_end: dt.date | None
    approved_at: dt.datetime | None
    signed_at: dt.datetime | None
    in_force_from: dt.datetime | None
    in_force_until: dt.datetime | None
    lock_version: LockVersionOut
    created_at: dt.datetime


class VersionOut(VersionSummaryOut):
    signatures: list[SignatureOut]
    document: dict[str, Any]


class AgreementSummaryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    kind: Kind
    title: str
    titles: dict[str, str]
    counterparty_id: int
    status: Status
    lock_version: LockVersionOut
    updated_at: dt.datetime


class AgreementOut(AgreementSummaryOut):
    provider: str
    manager_id: int | None
    review_frequency: str
    notice_days: int
    terminated_at: dt.datetime | None
    termination_reason: str
    versions: list[VersionSummaryOut]
    created_at: dt.datetime


class FieldChangeOut(BaseModel):
    field: str = Field(description="The key in the agreement file (within, objective…).")
    kind: str = Field(description="What the value is: text, duration, percent, condition…")
    label: str = Field(description="The field in the reader's language.")
    before: Any = Field(description="As in the agreement file; null: not there.")
    after: Any
    before_text: str = Field(description="`before` in the reader's words, as the page shows it.")
    after_text: str


class ClauseChangeOut(BaseModel):
    clause: str
    change: str
    before: Any
    after: Any
    label: str = Field(description="The clause in the reader's language.")
    fields: list[FieldChangeOut]


class SettingOut(BaseModel):
    key: str
    label: str
    value: Any
    text: str


class DiffOut(BaseModel):
    old: int
    new: int
    clauses: list[ClauseChangeOut]
    lines: list[str]
    unversioned: list[SettingOut] = Field(
        description="Settings of the agreement (title, provider, review): the same in every "
        "version, so never among the changed clauses."
    )


class FindingOut(BaseModel):
    kind: str
    sla: str
    supporting: str
    message: str
    text: str


class UnderpinningOut(BaseModel):
    linked: list[AgreementSummaryOut]
    findings: list[FindingOut]
