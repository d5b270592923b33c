"""Request and response bodies of the reviews API (SLM5)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.schemas.common import AwareInstant, Id, LockVersion, LockVersionOut


class VersionIn(BaseModel):
    lock_version: LockVersion


class MeetingIn(BaseModel):
    agreement_id: Id
    scheduled_at: AwareInstant | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = Field(default=None, description="Exclusive.")
    chair_id: Id | None = None
    location: str = Field(default="", max_length=300)


class MeetingPatch(VersionIn):
    scheduled_at: AwareInstant | None = None
    chair_id: Id | None = None
    location: str = Field(default="", max_length=300)


class MeetingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    lock_version: LockVersionOut
    agreement_id: int
    period_start: dt.date
    period_end: dt.date
    scheduled_at: dt.datetime
    chair_id: int | None
    location: str
    status: str
    outcome: str
    held_at: dt.datetime | None
    reminded_at: dt.datetime | None
    overdue: bool = False


class ParticipantIn(BaseModel):
    role: str = Field(max_length=40, description="One of the participant roles (docs/api.md).")
    name: str = Field(min_length=1, max_length=200)
    user_id: Id | None = None
    party_id: Id | None = None
    attended: bool | None = None


class ParticipantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    role: str
    name: str
    user_id: int | None
    party_id: int | None
    attended: bool | None


class ParticipantsIn(VersionIn):
    participants: list[ParticipantIn] = Field(max_length=200)


class ActionIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    due_on: dt.date
    owner_id: Id | None = None
    owner_name: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=2000)


class ActionPatch(VersionIn):
    status: Literal["open", "done", "cancelled"] | None = None
    due_on: dt.date | None = None
    note: str | None = Field(default=None, max_length=2000)


class ActionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    lock_version: LockVersionOut
    meeting_id: int | None
    plan_id: int | None
    title: str
    owner_id: int | None
    owner_name: str
    due_on: dt.date
    status: str
    done_at: dt.datetime | None
    note: str


class MeetingDetail(MeetingOut):
    agenda: dict[str, Any]
    minutes: str
    decisions: list[str]
    note: str
    participants: list[ParticipantOut]
    actions: list[ActionOut]


class MinutesIn(VersionIn):
    minutes: str = Field(max_length=100_000)
    decisions: list[str] = Field(default_factory=list, max_length=200)
    outcome: Literal["on_track", "improve", "revise", "terminate"]


class CancelIn(VersionIn):
    reason: str = Field(max_length=2000)


class GoalIn(BaseModel):
    agreement_id: Id | None = None
    target_key: str = Field(default="", max_length=64)
    service_id: Id | None = None


class GoalOut(GoalIn):
    model_config = ConfigDict(from_attributes=True)


class PlanIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=300)
    origin: Literal["review", "breach_trend", "problem", "survey", "other"]
    goal: str = Field(default="", max_length=20_000)
    origin_note: str = Field(default="", max_length=500)
    meeting_id: Id | None = None
    survey_id: Id | None = None
    owner_id: Id | None = None
    starts_on: dt.date | None = None
    due_on: dt.date | None = None
    goals: list[GoalIn] = Field(default_factory=list, max_length=100)


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    lock_version: LockVersionOut
    code: str
    title: str
    goal: str
    origin: str
    origin_note: str
    meeting_id: int | None
    survey_id: int | None
    status: str
    owner_id: int | None
    starts_on: dt.date | None
    due_on: dt.date | None
    completed_at: dt.datetime | None


class PlanDetail(PlanOut):
    goals: list[GoalOut]
    actions: list[ActionOut]
    progress: float | None


class PlanFromIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    owner_id: Id | None = None


class StepIn(VersionIn):
    transition: Literal["activate", "complete", "cancel"]
    starts_on: dt.date | None = Field(
        default=None, description="activate: the day the plan's measures took effect."
    )


class MonthOut(BaseModel):
    period: str
    met: int
    breached: int
    within: float | None


class TargetEffectOut(BaseModel):
    agreement_id: int
    agreement: str
    target: str
    name: str
    objective: float | None
    months: list[MonthOut]
    before: MonthOut
    after: MonthOut


class EffectOut(BaseModel):
    starts: str | None = Field(description="The first month counted as after the plan.")
    targets: list[TargetEffectOut]

    @classmethod
    def of(cls, starts: str | None, found: list[Any]) -> EffectOut:
        def month(m: Any) -> MonthOut:
            return MonthOut(period=m.period, met=m.met, breached=m.breached, within=m.within)

        targets = [
            TargetEffectOut(
                agreement_id=e.agreement_id,
                agreement=e.agreement,
                target=e.target,
                name=e.name,
                objective=e.objective,
                months=[month(m) for m in e.months],
                before=month(e.before),
                after=month(e.after),
            )
            for e in found
        ]
        return cls(starts=starts, targets=targets)


class SurveyIn(BaseModel):
    customer_id: Id
    answered_on: dt.date
    score: float = Field(ge=0, le=100)
    scale: int = Field(default=5, ge=1, le=100)
    service_id: Id | None = None
    respondent: str = Field(default="", max_length=200)
    comments: str = Field(default="", max_length=4000)


class SurveyOut(BaseModel):
    id: int
    customer_id: int
    service_id: int | None
    answered_on: dt.date
    score: float
    scale: int
    respondent: str
    comments: str
    source: str
    low: bool


class TrendOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    period: str
    count: int
    mean: float | None
    low: int
