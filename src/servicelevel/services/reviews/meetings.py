"""Review meetings (SLM5, 服务级别协议定期评审登记表): scheduled by hand or by
:mod:`review_schedule`, moved, with their participants and attendance, an agenda filled from
the period's data (:mod:`review_agenda`) and frozen when the minutes are recorded — holding a
meeting schedules the next one — or cancelled with a reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from servicelevel.db.models import ReviewMeeting, ReviewParticipant
from servicelevel.db.models.reviews import OUTCOMES, PARTICIPANT_ROLES
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as work_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.reviews import agenda as review_agenda
from servicelevel.services.reviews import schedule as review_schedule
from servicelevel.services.reviews.schedule import FIELDS as FIELDS
from servicelevel.services.reviews.schedule import is_overdue as is_overdue
from servicelevel.services.reviews.schedule import period_label as period_label
from servicelevel.services.reviews.schedule import schedule_due as schedule_due
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import known_user, text


@dataclass(frozen=True)
class MeetingData:
    scheduled_at: dt.datetime | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    chair_id: int | None = None
    location: str = ""


def create_meeting(
    session: Session, *, actor: Actor, agreement_id: int, data: MeetingData
) -> ReviewMeeting:
    """Schedule a review by hand (an extra one, or with another period or date)."""
    require(actor, "review.write")
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    now = dt.datetime.now(dt.UTC)
    upcoming = repo.scheduled_for(session, agreement.id)
    if upcoming is not None:
        raise Conflict(
            "a review of {code} is scheduled already (meeting {id}); move it or hold it first",
            "agreement_id",
            code=agreement.code,
            id=upcoming.id,
        )
    period = None
    if data.period_start is not None or data.period_end is not None:
        if data.period_start is None or data.period_end is None:
            raise Invalid("give both the start and the end of the period", "period_end")
        if data.period_end <= data.period_start:
            raise Invalid("the period must end after it starts", "period_end")
        period = (data.period_start, data.period_end)
    _check_chair(session, data.chair_id)
    return review_schedule.schedule(
        session,
        actor,
        agreement,
        now,
        period=period,
        at=data.scheduled_at,
        chair_id=data.chair_id,
        location=text(data.location, "location", limit=300),
    )


def _check_chair(session: Session, chair_id: int | None) -> None:
    known_user(session, chair_id, "chair_id")


def visible_agreements(session: Session, actor: Actor) -> list[int] | None:
    if not actor.scoped:
        return None
    return agreement_repo.ids_of_parties(session, actor.parties)


def list_meetings(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int | None = None,
    status: str | None = None,
    overdue: bool = False,
    now: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ReviewMeeting]:
    require(actor, "review.read")
    return repo.list_meetings(
        session,
        agreements=visible_agreements(session, actor),
        agreement_id=agreement_id,
        status=status,
        overdue_at=(now or dt.datetime.now(dt.UTC)) if overdue else None,
        offset=offset,
        limit=limit,
    )


def get_meeting(session: Session, *, actor: Actor, meeting_id: int) -> ReviewMeeting:
    require(actor, "review.read")
    meeting = repo.meeting_by_id(session, meeting_id)
    if meeting is None:
        raise NotFound("no review meeting {id}", id=meeting_id)
    try:
        agreements.get_agreement(session, actor=actor, agreement_id=meeting.agreement_id)
    except NotFound:
        raise NotFound("no review meeting {id}", id=meeting_id) from None
    return meeting


def participants(session: Session, *, actor: Actor, meeting_id: int) -> list[ReviewParticipant]:
    get_meeting(session, actor=actor, meeting_id=meeting_id)
    return repo.participants_of(session, meeting_id)


def _editable(session: Session, actor: Actor, meeting_id: int, version: int) -> ReviewMeeting:
    require(actor, "review.write")
    meeting = get_meeting(session, actor=actor, meeting_id=meeting_id)
    audit.check_version(meeting, version)
    return meeting


def _still_scheduled(meeting: ReviewMeeting) -> None:
    if meeting.status != "scheduled":
        raise Conflict(
            "review meeting {id} is {status}", "status", id=meeting.id, status=meeting.status
        )


def update_meeting(
    session: Session, *, actor: Actor, meeting_id: int, version: int, data: MeetingData
) -> ReviewMeeting:
    """Move a scheduled meeting, change its chair or place."""
    meeting = _editable(session, actor, meeting_id, version)
    _still_scheduled(meeting)
    before = audit.snapshot(meeting, FIELDS)
    _check_chair(session, data.chair_id)
    if data.scheduled_at is not None:
        meeting.scheduled_at = data.scheduled_at
        meeting.reminded_at = None  # a moved meeting is reminded of again
    if data.chair_id is not None:
        meeting.chair_id = data.chair_id
    meeting.location = text(data.location, "location", limit=300) or meeting.location
    audit.record_update(session, actor, meeting, before, audit.snapshot(meeting, FIELDS))
    return meeting


@dataclass(frozen=True)
class ParticipantData:
    role: str
    name: str
    user_id: int | None = None
    party_id: int | None = None
    attended: bool | None = None


def set_participants(
    session: Session, *, actor: Actor, meeting_id: int, version: int, people: list[ParticipantData]
) -> list[ReviewParticipant]:
    """Replace who is invited (and, once met, who attended)."""
    meeting = _editable(session, actor, meeting_id, version)
    if meeting.status == "cancelled":
        raise Conflict("review meeting {id} is cancelled", "status", id=meeting.id)
    for i, p in enumerate(people):
        if p.role not in PARTICIPANT_ROLES:
            raise Invalid(
                "participant {n}: role must be one of {roles}",
                f"participants.{i}.role",
                n=i + 1,
                roles=", ".join(PARTICIPANT_ROLES),
            )
        text(p.name, f"participants.{i}.name", required=True, limit=200)
        known_user(session, p.user_id, f"participants.{i}.user_id")
    before = [(p.role, p.name, p.attended) for p in repo.participants_of(session, meeting.id)]
    repo.drop_participants(session, meeting.id)
    rows = [
        ReviewParticipant(
            meeting_id=meeting.id,
            role=p.role,
            name=p.name.strip(),
            user_id=p.user_id,
            party_id=p.party_id,
            attended=p.attended,
        )
        for p in people
    ]
    session.add_all(rows)
    flag_modified(meeting, "location")  # the meeting's version moves with its participants
    after = [(p.role, p.name, p.attended) for p in rows]
    audit.record(
        session, actor, "participants", meeting, {"participants": before}, {"participants": after}
    )
    return rows


def refresh_agenda(
    session: Session, *, actor: Actor, meeting_id: int, version: int
) -> ReviewMeeting:
    """Fill the agenda again from the data as it is now (until the meeting is held)."""
    meeting = _editable(session, actor, meeting_id, version)
    _still_scheduled(meeting)
    agreement = agreements.get_agreement(session, actor=SYSTEM, agreement_id=meeting.agreement_id)
    meeting.agenda = review_agenda.build(session, meeting, agreement)
    audit.record(session, actor, "refresh_agenda", meeting, None, None)
    return meeting


@dataclass(frozen=True)
class Minutes:
    minutes: str
    decisions: list[str]
    outcome: str


def record_minutes(
    session: Session,
    *,
    actor: Actor,
    meeting_id: int,
    version: int,
    record: Minutes,
    now: dt.datetime | None = None,
) -> ReviewMeeting:
    """The meeting was held: minutes, decisions and outcome; the agenda is frozen as it
    stands, the chair's reminder is done, and the next review is scheduled. Not before the
    meeting has started: minutes written days ahead would freeze an agenda that the rest of
    the period can still change (move the meeting first if it was held early)."""
    meeting = _editable(session, actor, meeting_id, version)
    _still_scheduled(meeting)
    moment = now or dt.datetime.now(dt.UTC)
    if moment < meeting.scheduled_at:
        raise Conflict(
            "the meeting has not started yet: minutes can be recorded once it has begun",
            "minutes",
        )
    minutes = text(record.minutes, "minutes", required=True, limit=100_000)
    if record.outcome not in OUTCOMES or not record.outcome:
        raise Invalid(
            "outcome must be one of {outcomes}", "outcome", outcomes=", ".join(OUTCOMES[1:])
        )
    decisions = [text(d, f"decisions.{i}", limit=2000) for i, d in enumerate(record.decisions)]
    before = audit.snapshot(meeting, FIELDS)
    agreement = agreements.get_agreement(session, actor=SYSTEM, agreement_id=meeting.agreement_id)
    meeting.agenda = review_agenda.build(session, meeting, agreement)
    meeting.minutes = minutes
    meeting.decisions = {"items": [d for d in decisions if d]}
    meeting.outcome = record.outcome
    meeting.status = "held"
    meeting.held_at = moment
    audit.record(session, actor, "hold", meeting, before, audit.snapshot(meeting, FIELDS))
    item = work_repo.open_agreement_item(session, "prepare_review", agreement.id)
    if item is not None:
        work.complete(
            session,
            actor=SYSTEM,
            item_id=item.id,
            version=item.version,
            note=f"review {meeting.id} held",
        )
    if (
        agreement.status in ("active", "expiring", "signed")
        and repo.scheduled_for(session, agreement.id) is None
    ):
        review_schedule.schedule(session, actor, agreement, moment)
    return meeting


def cancel(
    session: Session, *, actor: Actor, meeting_id: int, version: int, reason: str
) -> ReviewMeeting:
    meeting = _editable(session, actor, meeting_id, version)
    _still_scheduled(meeting)
    why = text(reason, "reason", required=True)
    before = audit.snapshot(meeting, FIELDS)
    meeting.status, meeting.note = "cancelled", why
    audit.record(session, actor, "cancel", meeting, before, audit.snapshot(meeting, FIELDS))
    return meeting
