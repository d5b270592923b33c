"""Monitoring outcomes in the browser: breaches (with exclusion by a manager), the alerts
fired, each team's month (the provider's own people only), and the notification channels with
the delivery of each notice."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep, commit
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.monitoring import alerts, breaches, tickets
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.notifications.channels import ChannelData
from servicelevel.services.reporting import teams as team_attainment
from servicelevel.services.shared.errors import Invalid, ServiceError
from servicelevel.services.workspace import home as workspace
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
    team: Annotated[str, Query(max_length=200)] = "",
    period: Annotated[str, Query(max_length=40)] = "",
    week: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    return _breaches(request, visitor, db, status, {}, team=team, period=period, week=week)


def _breaches(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    status: str,
    errors: dict[int, object],
    code: int = 200,
    team: str = "",
    period: str = "",
    week: str = "",
) -> Response:
    chosen = status if status in STATES else None
    since = until = monday = None
    if period:  # a month in UTC, as the Teams page counts it
        period, since, until = team_attainment.month_of(period, dt.datetime.now(dt.UTC))
    elif week:  # a bar of the dashboard's chart: its standing breaches, Monday to Monday UTC
        monday, since, until = workspace.week_of(week)
    page = breaches.list_breaches(
        db,
        actor=visitor.actor,
        status=chosen,
        team=team or None,
        since=since,
        until=until,
        limit=200,
        current=monday is not None,
    )
    fired = alerts.fired(db, actor=visitor.actor, limit=50)
    listed = {b.ticket_id for b in page.items if b.ticket_id} | {a.ticket_id for a in fired.items}
    codes, numbers = breaches.names_for(
        db, {b.agreement_id for b in page.items} | {a.agreement_id for a in fired.items}, listed
    )
    # the team holding each ticket at its breach: internal, so not for customers or suppliers
    internal = not visitor.actor.scoped
    teams = breaches.teams_at_breach(db, page.items) if internal else {}
    return render(
        request,
        "monitoring/breaches.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        page=page,
        fired=fired,
        codes=codes,
        numbers=numbers,
        openable=tickets.openable(db, actor=visitor.actor, ticket_ids=listed),
        teams=teams,
        by_team=Counter(teams.values()).most_common(),
        state=status,
        team=team,
        period=period,
        week=monday,
        labels=labels,
        errors=errors,
        status=code,
    )


@router.get("/teams")
def team_list(
    request: Request,
    visitor: UserDep,
    db: SessionDep,
    period: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """Each team's month: the OLAs it holds, breaches while it held the ticket, hand-offs."""
    now = dt.datetime.now(dt.UTC)
    error, code = None, 200
    try:
        found = team_attainment.attainment(db, actor=visitor.actor, period=period or None, now=now)
    except Invalid as exc:  # a period that is not a month: this month, and say why
        found = team_attainment.attainment(db, actor=visitor.actor, now=now)
        error, code = exc, exc.status
    return render(
        request,
        "monitoring/teams.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        found=found,
        asked=period,
        error=error,
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
