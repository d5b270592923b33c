"""/api/v1/breaches, /alerts, /notification-channels and /notifications: what monitoring
found, who is told, and whether the telling worked."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.common import (
    AwareInstant,
    Id,
    LockVersion,
    LockVersionOut,
    PageOut,
    page_of,
    page_of_list,
)
from servicelevel.services.monitoring import alerts, breaches
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.notifications.channels import ChannelData, NotificationChannel

router = APIRouter(tags=["monitoring"])


class BreachOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    lock_version: LockVersionOut
    agreement_id: int
    version_number: int
    target_key: str
    kind: str
    ticket_id: int | None
    period_start: dt.datetime | None
    period_end: dt.datetime | None
    breached_at: dt.datetime
    status: str
    budget_seconds: int
    used_seconds: int
    overrun_seconds: int
    objective: float | None
    achieved: float | None
    excluded: bool
    exclusion_reason: str
    decided_by_id: int | None
    decided_at: dt.datetime | None
    note: str


class AnnotationIn(BaseModel):
    lock_version: LockVersion
    excluded: bool
    reason: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=4000)


@router.get("/breaches", response_model=PageOut[BreachOut])
def list_breaches(
    session: SessionDep,
    actor: ActorDep,
    agreement_id: RecordFilter | None = None,
    status: Literal["open", "closed", "withdrawn"] | None = None,
    excluded: bool | None = None,
    since: AwareInstant | None = None,
    until: AwareInstant | None = None,
    team: Annotated[str | None, Query(max_length=200)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[BreachOut]:
    """Breaches newest first; representatives see their own agreements' only; ``team`` (not
    for representatives) keeps those of tickets that team held when breached."""
    page = breaches.list_breaches(
        session,
        actor=actor,
        agreement_id=agreement_id,
        status=status,
        excluded=excluded,
        since=since,
        until=until,
        team=team or None,
        offset=offset,
        limit=limit,
    )
    return page_of(page, BreachOut)


@router.get("/breaches/{breach_id}", response_model=BreachOut)
def get_breach(breach_id: RecordId, session: SessionDep, actor: ActorDep) -> BreachOut:
    return BreachOut.model_validate(breaches.get_breach(session, actor=actor, breach_id=breach_id))


@router.post("/breaches/{breach_id}/annotation", response_model=BreachOut)
def annotate(
    breach_id: RecordId, body: AnnotationIn, session: SessionDep, actor: ActorDep
) -> BreachOut:
    """Exclude a breach (a reason is required), take the exclusion back, or add a note."""
    done = breaches.annotate(
        session,
        actor=actor,
        breach_id=breach_id,
        version=body.lock_version,
        excluded=body.excluded,
        reason=body.reason,
        note=body.note,
    )
    commit(session)
    return BreachOut.model_validate(done)


class AlertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    agreement_id: int
    version_number: int
    target_key: str
    ticket_id: int
    kind: str
    threshold: float
    due_at: dt.datetime
    fired_at: dt.datetime | None
    outcome: str


@router.get("/alerts", response_model=PageOut[AlertOut])
def list_alerts(
    session: SessionDep, actor: ActorDep, offset: Offset = 0, limit: Limit = 50
) -> PageOut[AlertOut]:
    """Warnings and breaches already fired, newest first."""
    return page_of(alerts.fired(session, actor=actor, offset=offset, limit=limit), AlertOut)


@router.get("/agreements/{agreement_id}/alerts", response_model=PageOut[AlertOut])
def upcoming_alerts(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[AlertOut]:
    """The agreement's next warnings and deadlines, soonest first (known ahead)."""
    found = alerts.upcoming(session, actor=actor, agreement_id=agreement_id)
    return page_of_list([AlertOut.model_validate(a) for a in found], offset, limit)


ChannelKind = Literal["email", "webhook", "wecom", "dingtalk", "feishu", "slack"]
NoticeKind = Literal["warning", "breach", "availability", "burn_rate", "review", "action"]


class ChannelIn(BaseModel):
    name: str = Field(max_length=100)
    kind: ChannelKind
    address: str = Field(max_length=1000)
    secret: str = Field(default="", max_length=200)
    locale: str = "en"
    timezone: str = "UTC"
    notices: list[NoticeKind] = []
    agreement_id: Id | None = None
    party_id: Id | None = None
    hours_calendar_id: Id | None = None
    active: bool = True

    def data(self) -> ChannelData:
        return ChannelData(**self.model_dump())


class ChannelUpdateIn(ChannelIn):
    lock_version: LockVersion


class ChannelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    lock_version: LockVersionOut
    name: str
    kind: str
    address: str
    has_secret: bool
    locale: str
    timezone: str
    notices: list[str]
    agreement_id: int | None
    party_id: int | None
    hours_calendar_id: int | None
    active: bool

    @classmethod
    def of(cls, channel: NotificationChannel) -> ChannelOut:
        return cls(
            id=channel.id,
            lock_version=channel.version,
            name=channel.name,
            kind=channel.kind,
            address=channel.address,
            has_secret=bool(channel.secret),  # never shown
            locale=channel.locale,
            timezone=channel.timezone,
            notices=list(channel.kinds.get("notices", [])),
            agreement_id=channel.agreement_id,
            party_id=channel.party_id,
            hours_calendar_id=channel.hours_calendar_id,
            active=channel.active,
        )


@router.get("/notification-channels", response_model=PageOut[ChannelOut])
def list_channels(
    session: SessionDep, actor: ActorDep, offset: Offset = 0, limit: Limit = 50
) -> PageOut[ChannelOut]:
    found = [ChannelOut.of(c) for c in notifications.list_channels(session, actor=actor)]
    return page_of_list(found, offset, limit)


@router.post("/notification-channels", response_model=ChannelOut, status_code=201)
def create_channel(body: ChannelIn, session: SessionDep, actor: ActorDep) -> ChannelOut:
    """Add a recipient: an email address or a webhook (generic, WeCom, DingTalk, Feishu,
    Slack), optionally narrowed to one agreement or party and to some kinds of notice."""
    made = notifications.create_channel(session, actor=actor, data=body.data())
    commit(session)
    return ChannelOut.of(made)


@router.get("/notification-channels/{channel_id}", response_model=ChannelOut)
def get_channel(channel_id: RecordId, session: SessionDep, actor: ActorDep) -> ChannelOut:
    return ChannelOut.of(notifications.get_channel(session, actor=actor, channel_id=channel_id))


@router.put("/notification-channels/{channel_id}", response_model=ChannelOut)
def update_channel(
    channel_id: RecordId, body: ChannelUpdateIn, session: SessionDep, actor: ActorDep
) -> ChannelOut:
    """Change a channel (an empty secret keeps the stored one)."""
    fields = body.model_dump(exclude={"lock_version"})
    done = notifications.update_channel(
        session,
        actor=actor,
        channel_id=channel_id,
        version=body.lock_version,
        data=ChannelData(**fields),
    )
    commit(session)
    return ChannelOut.of(done)


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    channel_id: int
    agreement_id: int | None
    dedupe_key: str
    kind: str
    urgent: bool
    facts: dict[str, object]
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


@router.get("/notifications", response_model=PageOut[NotificationOut])
def list_notifications(
    session: SessionDep,
    actor: ActorDep,
    channel_id: RecordFilter | None = None,
    status: Literal["pending", "sent", "failed"] | None = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[NotificationOut]:
    """Every notice and its delivery: attempts, last error, when sent."""
    page = notifications.list_notifications(
        session, actor=actor, channel_id=channel_id, status=status, offset=offset, limit=limit
    )
    return page_of(page, NotificationOut)
