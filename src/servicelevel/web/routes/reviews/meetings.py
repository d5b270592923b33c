"""A review meeting in the browser (SLM5): invite, look at the agenda filled from the period's
data, record minutes, decisions and actions, and raise an improvement plan from an action.
The register and scheduling are in :mod:`servicelevel.web.routes.reviews.register`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.numbers import format_percent
from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from servicelevel.api.deps import SessionDep
from servicelevel.i18n import moments, translator
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.reporting import charts
from servicelevel.services.reviews import actions as review_actions
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews import plans as improvement_plans
from servicelevel.services.reviews.actions import ActionData
from servicelevel.services.reviews.meetings import MeetingData, Minutes, ParticipantData
from servicelevel.services.shared.errors import Invalid
from servicelevel.web import labels
from servicelevel.web.deps import UserDep
from servicelevel.web.forms import day
from servicelevel.web.pages import language, render, time_zone
from servicelevel.web.submit import perform

router = APIRouter()
BIG = 2**63 - 1


def local_instant(day: str, time: str, zone: str) -> dt.datetime | None:
    """A date and time typed in the agreement's zone, as UTC (``None`` when no date)."""
    if not day.strip():
        return None
    try:
        local = dt.datetime.combine(
            dt.date.fromisoformat(day), dt.time.fromisoformat(time or "10:00")
        )
    except ValueError:
        raise Invalid("write the date as 2026-04-07 and the time as 10:00", "day") from None
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)


@router.get("/reviews/{meeting_id}")
def meeting_page(request: Request, meeting_id: int, visitor: UserDep, db: SessionDep) -> Response:
    return meeting_view(request, meeting_id, visitor, db, {})


def meeting_view(
    request: Request,
    meeting_id: int,
    visitor: UserDep,
    db: SessionDep,
    errors: dict[str, object],
    code: int = 200,
) -> Response:
    meeting = reviews.get_meeting(db, actor=visitor.actor, meeting_id=meeting_id)
    agreement = agreements.get_agreement(db, actor=visitor.actor, agreement_id=meeting.agreement_id)
    zone = agreements.current(agreement).timezone
    t = translator(language(request))
    found = review_actions.actions(db, meeting_ids=[meeting.id])
    raised = [
        p
        for p in improvement_plans.list_plans(
            db, actor=visitor.actor, agreement_id=agreement.id, limit=500
        ).items
        if p.meeting_id == meeting.id
    ]
    local = dt.datetime.now(dt.UTC)
    return render(
        request,
        "reviews/meeting.html",
        actor=visitor.actor,
        csrf=visitor.session.csrf,
        meeting=meeting,
        agreement=agreement,
        zone=zone,
        at_local=moments.bound(meeting.scheduled_at, t.locale, time_zone(request), zone),
        day=meeting.scheduled_at.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d"),
        time=meeting.scheduled_at.astimezone(ZoneInfo(zone)).strftime("%H:%M"),
        period=reviews.period_label(meeting, t.locale),
        overdue=reviews.is_overdue(meeting, local),
        started=meeting.scheduled_at <= local,  # minutes wait until then
        people=reviews.participants(db, actor=visitor.actor, meeting_id=meeting.id),
        actions=found,
        raised=raised,
        charts=_trend_charts(meeting.agenda, t),
        labels=labels,
        errors=errors,
        status=code,
    )


def _trend_charts(agenda: dict[str, Any], t: Any) -> dict[str, str]:
    """A compliance chart per target of the agenda's trends."""

    def share(v: float) -> str:
        return format_percent(v, "#,##0.#%", locale=t.babel_locale)

    out = {}
    for trend in agenda.get("trends", []):
        months = trend["months"]
        out[trend["target"]] = charts.line_chart(
            [m["period"] for m in months],
            [charts.Series(t.gettext("Compliance"), [m["within"] for m in months])],
            title=f"{trend['name'] or trend['target']}",
            share=share,
            objective=trend["objective"],
            objective_label=t.gettext("Objective"),
        )
    return out


class EditForm(BaseModel):
    version: int = Field(default=1, ge=1, le=BIG)
    day: str = ""
    time: str = ""
    location: str = ""
    csrf: str = ""


def _again(request: Request, meeting_id: int, visitor: UserDep, db: SessionDep, where: str) -> Any:
    return lambda e, c: meeting_view(request, meeting_id, visitor, db, {where: e}, c)


@router.post("/reviews/{meeting_id}/edit")
def edit(
    request: Request,
    meeting_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[EditForm, Form()],
) -> Response:
    def call() -> Any:
        meeting = reviews.get_meeting(db, actor=visitor.actor, meeting_id=meeting_id)
        agreement = agreements.get_agreement(
            db, actor=visitor.actor, agreement_id=meeting.agreement_id
        )
        at = local_instant(form.day, form.time, agreements.current(agreement).timezone)
        data = MeetingData(scheduled_at=at, location=form.location)
        return reviews.update_meeting(
            db, actor=visitor.actor, meeting_id=meeting_id, version=form.version, data=data
        )

    return perform(
        visitor,
        db,
        form.csrf,
        call,
        then=f"/reviews/{meeting_id}",
        failed=_again(request, meeting_id, visitor, db, "edit"),
    )


@router.post("/reviews/{meeting_id}/participants")
def participants(
    request: Request,
    meeting_id: int,
    visitor: UserDep,
    db: SessionDep,
    version: Annotated[int, Form(ge=1, le=BIG)],
    csrf: Annotated[str, Form()] = "",
    role: Annotated[list[str] | None, Form()] = None,
    name: Annotated[list[str] | None, Form()] = None,
    attended: Annotated[list[str] | None, Form()] = None,
    new_role: Annotated[str, Form()] = "other",
    new_name: Annotated[str, Form()] = "",
) -> Response:
    """Attendance is ticked per row (``attended`` holds the row numbers); a new row adds one."""
    came = set(attended or [])
    people = [
        ParticipantData(r, n, attended=str(i) in came)
        for i, (r, n) in enumerate(zip(role or [], name or [], strict=False))
        if n.strip()
    ]
    if new_name.strip():
        people.append(ParticipantData(new_role, new_name))
    return perform(
        visitor,
        db,
        csrf,
        lambda: reviews.set_participants(
            db, actor=visitor.actor, meeting_id=meeting_id, version=version, people=people
        ),
        then=f"/reviews/{meeting_id}#participants",
        failed=_again(request, meeting_id, visitor, db, "participants"),
    )


class VersionForm(BaseModel):
    version: int = Field(default=1, ge=1, le=BIG)
    csrf: str = ""


@router.post("/reviews/{meeting_id}/agenda")
def refresh(
    request: Request,
    meeting_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[VersionForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: reviews.refresh_agenda(
            db, actor=visitor.actor, meeting_id=meeting_id, version=form.version
        ),
        then=f"/reviews/{meeting_id}",
        failed=_again(request, meeting_id, visitor, db, "agenda"),
    )


class MinutesForm(BaseModel):
    version: int = Field(default=1, ge=1, le=BIG)
    minutes: str = ""
    decisions: str = ""
    outcome: str = ""
    csrf: str = ""


@router.post("/reviews/{meeting_id}/minutes")
def minutes(
    request: Request,
    meeting_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[MinutesForm, Form()],
) -> Response:
    """Decisions are typed one a line."""
    record = Minutes(
        form.minutes, [d for d in form.decisions.splitlines() if d.strip()], form.outcome
    )
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: reviews.record_minutes(
            db, actor=visitor.actor, meeting_id=meeting_id, version=form.version, record=record
        ),
        then=f"/reviews/{meeting_id}",
        failed=_again(request, meeting_id, visitor, db, "minutes"),
    )


class CancelForm(VersionForm):
    reason: str = ""


@router.post("/reviews/{meeting_id}/cancel")
def cancel(
    request: Request,
    meeting_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[CancelForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: reviews.cancel(
            db, actor=visitor.actor, meeting_id=meeting_id, version=form.version, reason=form.reason
        ),
        then=f"/reviews/{meeting_id}",
        failed=_again(request, meeting_id, visitor, db, "cancel"),
    )


class ActionForm(BaseModel):
    title: str = ""
    owner_name: str = ""
    due_on: str = ""
    csrf: str = ""


def action_data(form: ActionForm) -> ActionData:
    due = day(form.due_on, "due_on")
    if due is None:
        raise Invalid("an action needs a due date", "due_on")
    return ActionData(form.title, due, owner_name=form.owner_name)


@router.post("/reviews/{meeting_id}/actions")
def add_action(
    request: Request,
    meeting_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[ActionForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: review_actions.add_action(
            db, actor=visitor.actor, meeting_id=meeting_id, data=action_data(form)
        ),
        then=f"/reviews/{meeting_id}#actions",
        failed=_again(request, meeting_id, visitor, db, "actions"),
    )


class PlanFromForm(BaseModel):
    code: str = ""
    csrf: str = ""


@router.post("/reviews/{meeting_id}/actions/{action_id}/plan")
def plan_from_action(
    request: Request,
    meeting_id: int,
    action_id: int,
    visitor: UserDep,
    db: SessionDep,
    form: Annotated[PlanFromForm, Form()],
) -> Response:
    return perform(
        visitor,
        db,
        form.csrf,
        lambda: review_actions.from_action(
            db, actor=visitor.actor, action_id=action_id, code=form.code
        ),
        then=lambda p: f"/improvement-plans/{p.id}",
        failed=_again(request, meeting_id, visitor, db, "actions"),
    )
