"""Queries about review meetings, improvement plans, their actions and survey results."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, delete, or_, select, update
from sqlalchemy.orm import Session

from servicelevel.db.models import (
    ImprovementAction,
    ImprovementPlan,
    PlanGoal,
    ReviewMeeting,
    ReviewParticipant,
    SurveyResult,
)
from servicelevel.db.repositories.common import Page, paginate


def meeting_by_id(session: Session, meeting_id: int) -> ReviewMeeting | None:
    return session.get(ReviewMeeting, meeting_id)


def list_meetings(
    session: Session,
    *,
    agreements: Collection[int] | None,
    agreement_id: int | None,
    status: str | None,
    overdue_at: dt.datetime | None,
    offset: int,
    limit: int,
) -> Page[ReviewMeeting]:
    """The register: newest first. ``overdue_at``: only meetings still scheduled before it."""
    conditions: list[ColumnElement[bool]] = []
    if agreements is not None:
        conditions.append(ReviewMeeting.agreement_id.in_(list(agreements)))
    if agreement_id is not None:
        conditions.append(ReviewMeeting.agreement_id == agreement_id)
    if status:
        conditions.append(ReviewMeeting.status == status)
    if overdue_at is not None:
        conditions.append(ReviewMeeting.status == "scheduled")
        conditions.append(ReviewMeeting.scheduled_at < overdue_at)
    query = select(ReviewMeeting).where(and_(True, *conditions))
    order = (ReviewMeeting.scheduled_at.desc(), ReviewMeeting.id.desc())
    return paginate(session, query.order_by(*order), offset, limit)


def scheduled_for(session: Session, agreement_id: int) -> ReviewMeeting | None:
    query = select(ReviewMeeting).where(
        ReviewMeeting.agreement_id == agreement_id, ReviewMeeting.status == "scheduled"
    )
    return session.scalars(query.order_by(ReviewMeeting.scheduled_at).limit(1)).one_or_none()


def last_reviewed(session: Session, agreement_id: int) -> ReviewMeeting | None:
    """The meeting that covered the latest period (held or scheduled, not cancelled)."""
    query = select(ReviewMeeting).where(
        ReviewMeeting.agreement_id == agreement_id, ReviewMeeting.status != "cancelled"
    )
    order = (ReviewMeeting.period_end.desc(), ReviewMeeting.id.desc())
    return session.scalars(query.order_by(*order).limit(1)).one_or_none()


def previous_held(session: Session, agreement_id: int, before: dt.date) -> ReviewMeeting | None:
    query = select(ReviewMeeting).where(
        ReviewMeeting.agreement_id == agreement_id,
        ReviewMeeting.status == "held",
        ReviewMeeting.period_end <= before,
    )
    return session.scalars(query.order_by(ReviewMeeting.period_end.desc()).limit(1)).one_or_none()


def to_remind(session: Session, before: dt.datetime) -> list[ReviewMeeting]:
    """Scheduled meetings starting before ``before`` whose chair has not been reminded."""
    query = select(ReviewMeeting).where(
        ReviewMeeting.status == "scheduled",
        ReviewMeeting.reminded_at.is_(None),
        ReviewMeeting.scheduled_at < before,
    )
    return list(session.scalars(query.order_by(ReviewMeeting.scheduled_at).with_for_update()))


def mark_reminded(session: Session, meeting_id: int, at: dt.datetime) -> None:
    """Note that a meeting's chair was reminded, leaving its lock version alone: a bulk
    UPDATE, not a change to the mapped object, so the chair who opened the meeting before
    the reminder went out can still save it (a note by the worker is not an edit)."""
    query = update(ReviewMeeting).where(ReviewMeeting.id == meeting_id).values(reminded_at=at)
    session.execute(query)


def due_between(
    session: Session, agreement_ids: Collection[int], before: dt.datetime
) -> dict[int, ReviewMeeting]:
    """Per agreement, its next scheduled meeting if that comes before ``before``."""
    query = select(ReviewMeeting).where(
        ReviewMeeting.agreement_id.in_(list(agreement_ids)),
        ReviewMeeting.status == "scheduled",
        ReviewMeeting.scheduled_at < before,
    )
    found: dict[int, ReviewMeeting] = {}
    for meeting in session.scalars(query.order_by(ReviewMeeting.scheduled_at)):
        found.setdefault(meeting.agreement_id, meeting)
    return found


def participants_of(session: Session, meeting_id: int) -> list[ReviewParticipant]:
    query = select(ReviewParticipant).where(ReviewParticipant.meeting_id == meeting_id)
    return list(session.scalars(query.order_by(ReviewParticipant.id)))


def drop_participants(session: Session, meeting_id: int) -> None:
    session.execute(delete(ReviewParticipant).where(ReviewParticipant.meeting_id == meeting_id))


def action_by_id(session: Session, action_id: int) -> ImprovementAction | None:
    return session.get(ImprovementAction, action_id)


def actions_of(
    session: Session, *, meeting_ids: Collection[int] = (), plan_ids: Collection[int] = ()
) -> list[ImprovementAction]:
    query = select(ImprovementAction).where(
        or_(
            ImprovementAction.meeting_id.in_(list(meeting_ids)),
            ImprovementAction.plan_id.in_(list(plan_ids)),
        )
    )
    return list(session.scalars(query.order_by(ImprovementAction.due_on, ImprovementAction.id)))


def open_actions_of_agreement(session: Session, agreement_id: int) -> list[ImprovementAction]:
    """Open actions decided in any review of the agreement."""
    meetings = select(ReviewMeeting.id).where(ReviewMeeting.agreement_id == agreement_id)
    query = select(ImprovementAction).where(
        ImprovementAction.meeting_id.in_(meetings), ImprovementAction.status == "open"
    )
    return list(session.scalars(query.order_by(ImprovementAction.due_on)))


def overdue_unnotified(session: Session, today: dt.date) -> list[ImprovementAction]:
    query = select(ImprovementAction).where(
        ImprovementAction.status == "open",
        ImprovementAction.due_on < today,
        ImprovementAction.overdue_notified_at.is_(None),
    )
    return list(session.scalars(query.order_by(ImprovementAction.id).with_for_update()))


def plan_by_id(session: Session, plan_id: int) -> ImprovementPlan | None:
    return session.get(ImprovementPlan, plan_id)


def plan_by_code(session: Session, code: str) -> ImprovementPlan | None:
    return session.scalars(select(ImprovementPlan).where(ImprovementPlan.code == code)).first()


def goals_of(session: Session, plan_ids: Collection[int]) -> dict[int, list[PlanGoal]]:
    query = select(PlanGoal).where(PlanGoal.plan_id.in_(list(plan_ids))).order_by(PlanGoal.id)
    out: dict[int, list[PlanGoal]] = {i: [] for i in plan_ids}
    for goal in session.scalars(query):
        out.setdefault(goal.plan_id, []).append(goal)
    return out


def drop_goals(session: Session, plan_id: int) -> None:
    session.execute(delete(PlanGoal).where(PlanGoal.plan_id == plan_id))


def list_plans(
    session: Session,
    *,
    agreements: Collection[int] | None,
    agreement_id: int | None,
    status: str | None,
    offset: int,
    limit: int,
) -> Page[ImprovementPlan]:
    """Plans newest first; ``agreements`` limits them to those aiming at these agreements."""
    conditions: list[ColumnElement[bool]] = []
    aimed = select(PlanGoal.plan_id)
    if agreements is not None:
        wanted = aimed.where(PlanGoal.agreement_id.in_(list(agreements)))
        conditions.append(ImprovementPlan.id.in_(wanted))
    if agreement_id is not None:
        conditions.append(
            ImprovementPlan.id.in_(aimed.where(PlanGoal.agreement_id == agreement_id))
        )
    if status:
        conditions.append(ImprovementPlan.status == status)
    query = select(ImprovementPlan).where(and_(True, *conditions))
    order = (ImprovementPlan.created_at.desc(), ImprovementPlan.id.desc())
    return paginate(session, query.order_by(*order), offset, limit)


def proposals_for(
    session: Session, agreement_id: int, service_ids: Collection[int], since: dt.datetime
) -> list[ImprovementPlan]:
    """Plans proposed (not yet started) that aim at the agreement or one of its services, or
    were raised since ``since``."""
    aimed = select(PlanGoal.plan_id).where(
        or_(PlanGoal.agreement_id == agreement_id, PlanGoal.service_id.in_(list(service_ids)))
    )
    query = select(ImprovementPlan).where(
        ImprovementPlan.status == "proposed",
        or_(ImprovementPlan.id.in_(aimed), ImprovementPlan.created_at >= since),
    )
    return list(session.scalars(query.order_by(ImprovementPlan.created_at).limit(100)))


def survey_by_id(session: Session, survey_id: int) -> SurveyResult | None:
    return session.get(SurveyResult, survey_id)


def survey_by_fingerprint(session: Session, fingerprint: str) -> SurveyResult | None:
    query = select(SurveyResult).where(SurveyResult.fingerprint == fingerprint)
    return session.scalars(query).one_or_none()


def known_fingerprints(session: Session, prints: Collection[str]) -> set[str]:
    query = select(SurveyResult.fingerprint).where(SurveyResult.fingerprint.in_(list(prints)))
    return set(session.scalars(query))


def list_surveys(
    session: Session,
    *,
    parties: Collection[int] | None,
    party_id: int | None,
    service_id: int | None,
    since: dt.date | None,
    until: dt.date | None,
    offset: int,
    limit: int,
) -> Page[SurveyResult]:
    """Survey answers newest first; ``until`` is exclusive."""
    conditions: list[ColumnElement[bool]] = []
    if parties is not None:
        conditions.append(SurveyResult.party_id.in_(list(parties)))
    if party_id is not None:
        conditions.append(SurveyResult.party_id == party_id)
    if service_id is not None:
        conditions.append(SurveyResult.service_id == service_id)
    if since is not None:
        conditions.append(SurveyResult.answered_on >= since)
    if until is not None:
        conditions.append(SurveyResult.answered_on < until)
    query = select(SurveyResult).where(and_(True, *conditions))
    order = (SurveyResult.answered_on.desc(), SurveyResult.id.desc())
    return paginate(session, query.order_by(*order), offset, limit)


def participants_of_many(
    session: Session, meeting_ids: Collection[int]
) -> dict[int, list[ReviewParticipant]]:
    query = select(ReviewParticipant).where(ReviewParticipant.meeting_id.in_(list(meeting_ids)))
    out: dict[int, list[ReviewParticipant]] = {}
    for p in session.scalars(query.order_by(ReviewParticipant.id)):
        out.setdefault(p.meeting_id, []).append(p)
    return out
