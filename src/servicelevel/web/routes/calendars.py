"""Calendars: list and detail (weekly hours and the coming days off)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from servicelevel.api.deps import SessionDep, commit
from servicelevel.definitions.calendars import format_shift
from servicelevel.engine.calendars import WEEKDAYS, plan_days
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web import sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter(prefix="/calendars")


@router.get("")
def calendar_list(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    page = calendars.list_calendars(db, actor=visitor.actor, limit=200)
    return render(
        request, "calendars/list.html", actor=visitor.actor, csrf=visitor.session.csrf, page=page
    )


TEMPLATE = """name: Service desk
timezone: Asia/Shanghai
hours:
  mon-fri: [09:00-12:00, 13:30-18:00]
holidays: {country: CN}
"""


@router.get("/new")
def calendar_new(request: Request, visitor: UserDep) -> Response:
    return _form(request, visitor, {"definition": TEMPLATE}, {})


def _form(
    request: Request,
    visitor: UserDep,
    values: dict[str, str],
    errors: dict[str, object],
    status: int = 200,
) -> Response:
    return render(
        request,
        "calendars/form.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        values=values,
        errors=errors,
        status=status,
    )


@router.post("/new")
def calendar_create(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    code: Annotated[str, Form(max_length=64)] = "",
    definition: Annotated[str, Form(max_length=100_000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    values = {"code": code, "definition": definition}
    if not sessions.csrf_ok(visitor.session, csrf):
        return _form(request, visitor, values, {"form": "expired"}, 400)
    try:
        record = calendars.create_calendar(
            db,
            actor=visitor.actor,
            code=code,
            definition=calendars.definition_from_text(definition, actor=visitor.actor),
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _form(request, visitor, values, {exc.field or "form": exc}, exc.status)
    return RedirectResponse(f"/calendars/{record.id}", status_code=303)


@router.get("/{calendar_id}")
def calendar_detail(
    request: Request, calendar_id: int, visitor: UserDep, db: SessionDep
) -> Response:
    record = calendars.get_calendar(db, actor=visitor.actor, calendar_id=calendar_id)
    spec = calendars.compile_definition(record.definition)
    week = [(WEEKDAYS[i], [format_shift(s) for s in day]) for i, day in enumerate(spec.week)]
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
