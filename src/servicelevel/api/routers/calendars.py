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
from servicelevel.api.schemas.common import AwareInstant, PageOut, page_of
from servicelevel.engine.business_time import NoWorkingTimeError
from servicelevel.engine.durations import DurationError, format_seconds, parse_duration
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.shared.errors import Invalid

router = APIRouter(prefix="/calendars", tags=["calendars"])
Instant = Annotated[AwareInstant, Query(description="ISO 8601 with an offset")]


@router.get("", response_model=PageOut[CalendarOut])
def list_calendars(
    session: SessionDep,
    actor: ActorDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[CalendarOut]:
    page = calendars.list_calendars(session, actor=actor, search=q, offset=offset, limit=limit)
    return page_of(page, CalendarOut)


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
        version=body.lock_version,
        definition=body.definition,
    )
    commit(session)
    return CalendarOut.model_validate(record)


@router.get("/{calendar_id}/elapsed", response_model=ElapsedOut)
def elapsed(
    calendar_id: RecordId, start: Instant, end: Instant, session: SessionDep, actor: ActorDep
) -> ElapsedOut:
    record = calendars.get_calendar(session, actor=actor, calendar_id=calendar_id)
    cal = calendars.business_calendar(record)
    seconds = int(cal.elapsed([int(start.timestamp())], [int(end.timestamp())])[0])
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
    begin = np.array([int(start.timestamp())])
    try:
        if budget.business_days is not None:
            due = int(cal.deadline_business_days(begin, budget.business_days)[0])
        else:
            due = int(cal.deadline(begin, [budget.seconds])[0])
    except NoWorkingTimeError as exc:
        raise Invalid(str(exc), "duration") from None
    zone = cal.spec.zone
    return DeadlineOut(deadline=dt.datetime.fromtimestamp(due, zone))
