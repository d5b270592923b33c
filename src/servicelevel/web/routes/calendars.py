"""Calendars: list and detail (weekly hours and the coming days off)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from servicelevel.api.deps import SessionDep
from servicelevel.engine.calendars import WEEKDAYS, plan_days
from servicelevel.services import calendars
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/calendars")


@router.get("")
def calendar_list(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    page = calendars.list_calendars(db, actor=visitor.actor, limit=200)
    return render(
        request, "calendars/list.html", actor=visitor.actor, csrf=visitor.session.csrf, page=page
    )


@router.get("/{calendar_id}")
def calendar_detail(
    request: Request, calendar_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    record = calendars.get_calendar(db, actor=visitor.actor, calendar_id=calendar_id)
    spec = calendars.compile_definition(record.definition)
    week = [(WEEKDAYS[i], [_hours(s.start, s.end) for s in day]) for i, day in enumerate(spec.week)]
    today = dt.datetime.now(spec.zone).date()
    days = plan_days(spec, today, today + dt.timedelta(days=60))
    closed = [d.date for d in days if not d.shifts and d.date.weekday() < 5]
    return render(
        request,
        "calendars/detail.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        record=record,
        week=week,
        closed=closed[:15],
    )


def _hours(start: int, end: int) -> str:
    return f"{start // 3600:02d}:{start % 3600 // 60:02d}–{end // 3600:02d}:{end % 3600 // 60:02d}"
