"""Monitoring outcomes in the browser: breaches (with exclusion by a manager), the alerts
fired, and the notification channels with the delivery of each notice."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services import alerts, breaches, calendars, notifications
from servicelevel.services.errors import ServiceError
from servicelevel.services.notifications import ChannelData
from servicelevel.web import labels, sessions
from servicelevel.web.deps import UserDep
from servicelevel.web.pages import render

router = APIRouter()
STATES = ("open", "closed", "withdrawn")


@router.get("/breaches")
def breach_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    return _breaches(request, visitor, db, status, {})


def _breaches(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: str,
    errors: dict[int, object],
    code: int = 200,
) -> Response:
    chosen = status if status in STATES else None
    page = breaches.list_breaches(db, actor=visitor.actor, status=chosen, limit=200)
    fired = alerts.fired(db, actor=visitor.actor, limit=50)
    codes, numbers = breaches.names_for(
        db,
        {b.agreement_id for b in page.items} | {a.agreement_id for a in fired.items},
        {b.ticket_id for b in page.items if b.ticket_id} | {a.ticket_id for a in fired.items},
    )
    return render(
        request,
        "monitoring/breaches.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        fired=fired,
        codes=codes,
        numbers=numbers,
        state=status,
        labels=labels,
        errors=errors,
        status=code,
    )


class ExclusionForm(BaseModel):
    version: int = Field(default=1, ge=1, le=2**63 - 1)
    excluded: bool = False
    reason: str = ""
    note: str = ""
    csrf: str = ""


@router.post("/breaches/{breach_id}/annotation")
def annotate(
    request: Request,
    breach_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[ExclusionForm, Form()],
) -> Response:
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _breaches(request, visitor, db, "", {breach_id: "expired"}, 400)
    try:
        breaches.annotate(
            db,
            actor=visitor.actor,
            breach_id=breach_id,
            version=form.version,
            excluded=form.excluded,
            reason=form.reason,
            note=form.note,
        )
        commit(db)
    except ServiceError as exc:
        db.rollback()
        return _breaches(request, visitor, db, "", {breach_id: exc}, exc.status)
    return RedirectResponse("/breaches", status_code=303)


@router.get("/notifications")
def channel_list(request: Request, visitor: UserDep, db: SessionDep) -> Response:
    return _channels(request, visitor, db, {}, {})


def _channels(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    values: dict[str, object],
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    found = notifications.list_channels(db, actor=visitor.actor)
    recent = notifications.list_notifications(db, actor=visitor.actor, limit=100)
    hours = calendars.list_calendars(db, actor=visitor.actor, limit=500).items
    return render(
        request,
        "monitoring/channels.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        channels=found,
        names={c.id: c.name for c in found},
        recent=recent,
        hours=hours,
        labels=labels,
        values=values,
        errors=errors,
        status=code,
    )


class ChannelForm(BaseModel):
    name: str = ""
    kind: str = "email"
    address: str = ""
    secret: str = ""
    locale: str = "en"
    timezone: str = "UTC"
    notices: list[str] = []
    hours_calendar_id: str = ""
    csrf: str = ""


@router.post("/notifications/channels")
def add_channel(
    request: Request, visitor: UserDep, db: SessionDep, form: Annotated[ChannelForm, Form()]
) -> Response:
    values = form.model_dump(exclude={"csrf", "secret"})
    if not sessions.csrf_ok(visitor.session, form.csrf):
        return _channels(request, visitor, db, values, {"name": "expired"}, 400)
    hours = int(form.hours_calendar_id) if form.hours_calendar_id.isdigit() else None
    data = ChannelData(
        name=form.name,
        kind=form.kind,
        address=form.address,
        secret=form.secret,
        locale=form.locale,
        timezone=form.timezone.strip() or "UTC",
        notices=form.notices,
        hours_calendar_id=hours,
    )
    try:
        notifications.create_channel(db, actor=visitor.actor, data=data)
        commit(db)
    except ServiceError as exc:
        db.rollback()
        field = exc.field if exc.field in ChannelForm.model_fields else "name"
        return _channels(request, visitor, db, values, {field: exc}, exc.status)
    return RedirectResponse("/notifications", status_code=303)
