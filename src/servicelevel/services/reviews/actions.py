"""Actions (行动项) decided in review meetings or taken up by improvement plans.

An action belongs to a meeting or a plan, has an owner (a user or a name), a due date and a
status (open, done, cancelled); a plan's progress is the share of its actions done. An action
decided in a review can raise a plan that carries it, so the plan's progress follows it. Open
actions past their due date are announced once each (the worker's daily round).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import ImprovementAction, ImprovementPlan
from servicelevel.db.models.reviews import ACTION_STATES
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.reviews.plans import Goal, PlanData, create_plan, get_plan
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import known_user, text

ACTION_FIELDS = (
    "meeting_id",
    "plan_id",
    "title",
    "owner_id",
    "owner_name",
    "due_on",
    "status",
    "note",
)


@dataclass(frozen=True)
class ActionData:
    title: str
    due_on: dt.date
    owner_id: int | None = None
    owner_name: str = ""
    note: str = ""


def add_action(
    session: Session,
    *,
    actor: Actor,
    data: ActionData,
    meeting_id: int | None = None,
    plan_id: int | None = None,
) -> ImprovementAction:
    require(actor, "improvement.write")
    if (meeting_id is None) == (plan_id is None):
        raise Invalid("an action belongs to a meeting or a plan", "meeting_id")
    if meeting_id is not None:
        meeting = reviews.get_meeting(session, actor=actor, meeting_id=meeting_id)
        if meeting.status == "cancelled":
            raise Conflict("review meeting {id} is cancelled", "status", id=meeting.id)
    if plan_id is not None:
        plan = get_plan(session, actor=actor, plan_id=plan_id)
        if plan.status in ("completed", "cancelled"):
            raise Conflict(
                "improvement plan {code} is {status}", "status", code=plan.code, status=plan.status
            )
    owner_name = text(data.owner_name, "owner_name", limit=200)
    owner = known_user(session, data.owner_id, "owner_id")
    if owner is not None:
        owner_name = owner_name or owner.display_name or owner.username
    if not owner_name:
        raise Invalid("an action needs an owner", "owner_name")
    action = ImprovementAction(
        meeting_id=meeting_id,
        plan_id=plan_id,
        title=text(data.title, "title", required=True, limit=500),
        owner_id=data.owner_id,
        owner_name=owner_name,
        due_on=data.due_on,
        note=text(data.note, "note"),
        status="open",
    )
    session.add(action)
    audit.record(session, actor, "create", action, None, audit.snapshot(action, ACTION_FIELDS))
    return action


def get_action(session: Session, *, actor: Actor, action_id: int) -> ImprovementAction:
    require(actor, "improvement.read")
    action = repo.action_by_id(session, action_id)
    if action is None:
        raise NotFound("no action {id}", id=action_id)
    try:
        if action.meeting_id is not None:
            reviews.get_meeting(session, actor=actor, meeting_id=action.meeting_id)
        else:
            get_plan(session, actor=actor, plan_id=action.plan_id or 0)
    except NotFound:
        raise NotFound("no action {id}", id=action_id) from None
    return action


def update_action(
    session: Session,
    *,
    actor: Actor,
    action_id: int,
    version: int,
    status: str | None = None,
    due_on: dt.date | None = None,
    note: str | None = None,
) -> ImprovementAction:
    """Mark an action done or cancelled (or open again), move its due date, add a note."""
    require(actor, "improvement.write")
    action = get_action(session, actor=actor, action_id=action_id)
    audit.check_version(action, version)
    before = audit.snapshot(action, ACTION_FIELDS)
    if status is not None:
        if status not in ACTION_STATES:
            raise Invalid("status must be one of open, done, cancelled", "status")
        action.done_at = dt.datetime.now(dt.UTC) if status == "done" else None
        action.status = status
    if due_on is not None and due_on != action.due_on:
        action.due_on, action.overdue_notified_at = due_on, None
    if note is not None:
        action.note = text(note, "note")
    audit.record_update(session, actor, action, before, audit.snapshot(action, ACTION_FIELDS))
    return action


def actions(
    session: Session, *, meeting_ids: list[int] | None = None, plan_ids: list[int] | None = None
) -> list[ImprovementAction]:
    """The actions of meetings or plans already read (no further permission check)."""
    return repo.actions_of(session, meeting_ids=meeting_ids or [], plan_ids=plan_ids or [])


def progress(found: list[ImprovementAction]) -> float | None:
    """The share of a plan's actions done (cancelled ones do not count)."""
    counted = [a for a in found if a.status != "cancelled"]
    return sum(a.status == "done" for a in counted) / len(counted) if counted else None


def from_action(
    session: Session, *, actor: Actor, action_id: int, code: str, owner_id: int | None = None
) -> ImprovementPlan:
    """A plan proposed from an action decided in a review: aimed at the meeting's agreement,
    and carrying the action — the action stays on the meeting's list and becomes the plan's
    first, so the plan's progress follows it (one action, tracked once, seen in both)."""
    require(actor, "improvement.write")
    action = get_action(session, actor=actor, action_id=action_id)
    if action.meeting_id is None:
        raise Invalid("only an action of a review meeting can raise a plan", "action_id")
    if action.plan_id is not None:
        raise Conflict("the action is carried by a plan already", "action_id")
    meeting = reviews.get_meeting(session, actor=actor, meeting_id=action.meeting_id)
    data = PlanData(
        code=code,
        title=action.title,
        origin="review",
        meeting_id=meeting.id,
        goal=action.note or action.title,
        owner_id=owner_id or action.owner_id,
        due_on=action.due_on,
        goals=[Goal(agreement_id=meeting.agreement_id)],
    )
    plan = create_plan(session, actor=actor, data=data)
    before = audit.snapshot(action, ACTION_FIELDS)
    action.plan_id = plan.id
    audit.record_update(session, actor, action, before, audit.snapshot(action, ACTION_FIELDS))
    session.flush()
    return plan


def agreement_of_action(session: Session, action: ImprovementAction) -> int | None:
    """The agreement an action belongs to: its meeting's, or its plan's first aimed at."""
    if action.meeting_id is not None:
        meeting = repo.meeting_by_id(session, action.meeting_id)
        return meeting.agreement_id if meeting else None
    goals = repo.goals_of(session, [action.plan_id or 0]).get(action.plan_id or 0, [])
    return next((g.agreement_id for g in goals if g.agreement_id is not None), None)


def notify_overdue(session: Session, *, now: dt.datetime) -> int:
    """Announce open actions past their due date, once each."""
    told = 0
    for action in repo.overdue_unnotified(session, now.date()):
        agreement_id = agreement_of_action(session, action)
        if agreement_id is not None:
            heads = agreement_repo.heads(session, [agreement_id])
            code, title, _ = heads.get(agreement_id, ("", "", 0))
            facts = {
                "agreement": code,
                "agreement_name": title,
                "action": action.title,
                "owner": action.owner_name,
                "due_on": action.due_on.isoformat(),
            }
            told += notifications.announce(
                session,
                agreement_id=agreement_id,
                kind="action",
                key=f"action:{action.id}",
                facts=facts,
                urgent=False,
                now=now,
            )
        action.overdue_notified_at = now
    session.flush()
    return told
