"""/api/v1/calendars: service hours, and business time on them."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import numpy as np
from fastapi import APIRouter, Query

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordId
from servicelevel.api.schemas.calendars import (
    CalendarIn,
    CalendarOut,
    CalendarPut,
    DeadlineOut,
    ElapsedOut,
)
from servicelevel.api.schemas.common import PageOut
from servicelevel.engine.durations import DurationError, format_seconds, parse_duration
from servicelevel.services import calendars
from servicelevel.services.errors import Invalid

router = APIRouter(prefix="/calendars", tags=["calendars"])
Instant = Annotated[dt.datetime, Query(description="ISO 8601 with an offset")]


@router.get("", response_model=PageOut[CalendarOut])
def list_calendars(
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[CalendarOut]:
    page = calendars.list_calendars(session, actor=actor, search=q, offset=offset, limit=limit)
    items = [CalendarOut.model_validate(c) for c in page.items]
    return PageOut[CalendarOut](items=items, total=page.total, offset=offset, limit=limit)


@router.post("", response_model=CalendarOut, status_code=201)
def create_calendar(body: CalendarIn, session: SessionDep, actor: ActorDep) -> CalendarOut:
    record = calendars.create_calendar(
        session, actor=actor, code=body.code, definition=body.definition
    )
    commit(session)
    return CalendarOut.model_validate(record)


@router.get("/{calendar_id}", response_model=CalendarOut)
def get_calendar(calendar_id: RecordId, session: SessionDep, actor: ActorDep) -> CalendarOut:
    record = calendars.get_calendar(session, actor=actor, calendar_id=calendar_id)
    return CalendarOut.model_validate(record)


@router.put("/{calendar_id}", response_model=CalendarOut)
def replace_calendar(
    calendar_id: RecordId, body: CalendarPut, session: SessionDep, actor: ActorDep
) -> CalendarOut:
    record = calendars.update_calendar(
        session,
        actor=actor,
        calendar_id=calendar_id,
        version=body.version,
        definition=body.definition,
    )
    commit(session)
    return CalendarOut.model_validate(record)


def _epoch(value: dt.datetime, field: str) -> int:
    if value.tzinfo is None:
        raise Invalid("give the instant with a UTC offset, e.g. 2025-03-03T09:00:00+08:00", field)
    if not 1971 <= value.year <= 2199:
        raise Invalid("instants between the years 1971 and 2199 are supported", field)
    return int(value.timestamp())


@router.get("/{calendar_id}/elapsed", response_model=ElapsedOut)
def elapsed(
    calendar_id: RecordId, start: Instant, end: Instant, session: SessionDep, actor: ActorDep
) -> ElapsedOut:
    record = calendars.get_calendar(session, actor=actor, calendar_id=calendar_id)
    cal = calendars.business_calendar(record)
    seconds = int(cal.elapsed([_epoch(start, "start")], [_epoch(end, "end")])[0])
    return ElapsedOut(seconds=seconds, text=format_seconds(seconds))


@router.get("/{calendar_id}/deadline", response_model=DeadlineOut)
def deadline(
    calendar_id: RecordId,
    start: Instant,
    duration: Annotated[str, Query(max_length=64, description="4h, 2d 3h, 90m, PT8H or 2bd")],
    session: SessionDep,
    actor: ActorDep,
) -> DeadlineOut:
    record = calendars.get_calendar(session, actor=actor, calendar_id=calendar_id)
    cal = calendars.business_calendar(record)
    try:
        budget = parse_duration(duration)
    except DurationError as exc:
        raise Invalid(str(exc), "duration") from None
    begin = np.array([_epoch(start, "start")])
    if budget.business_days is not None:
        due = int(cal.deadline_business_days(begin, budget.business_days)[0])
    else:
        due = int(cal.deadline(begin, [budget.seconds])[0])
    zone = cal.spec.zone
    return DeadlineOut(deadline=dt.datetime.fromtimestamp(due, zone))
