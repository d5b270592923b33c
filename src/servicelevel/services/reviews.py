"""The review register (SLM5, 服务级别协议定期评审登记表): review meetings per agreement at the
agreement's review frequency, chaired by its service level manager.

- :func:`schedule_due` keeps one meeting scheduled for every agreement in force. A meeting
  looks back over whole months: the period after the last one reviewed (from the start of
  the agreement for the first), as long as the review frequency. It is set on the
  :data:`MEETING_WORKING_DAY`-th working day after the period — counted in the agreement's
  calendar, after the month's reports went out — and a period long past is not reviewed late
  one by one: the latest one due is scheduled (and shows overdue).
- :func:`remind_due` tells the chair :data:`REMIND_AHEAD` before: a "prepare the review" item
  on the work list and a notice on the agreement's channels.
- The agenda is filled from the period's data (:mod:`review_agenda`) and frozen when the
  minutes are recorded; holding a meeting schedules the next one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from servicelevel.db.models import Agreement, ImprovementAction, ReviewMeeting, ReviewParticipant
from servicelevel.db.models.reviews import OUTCOMES, PARTICIPANT_ROLES
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as work_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services import agreements, audit, notifications, review_agenda, work
from servicelevel.services.errors import Conflict, Invalid, NotFound, ServiceError
from servicelevel.services.permissions import SYSTEM, Actor, require
from servicelevel.services.report_schedules import nth_working_day, working_calendar
from servicelevel.services.validation import text

FREQUENCY_MONTHS = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}
MEETING_WORKING_DAY = 5
REMIND_AHEAD = dt.timedelta(days=7)
FIELDS = (
    "agreement_id",
    "period_start",
    "period_end",
    "scheduled_at",
    "chair_id",
    "location",
    "status",
    "outcome",
    "held_at",
    "note",
)
REP_ROLES = {
    "customer_representative": "customer_representative",
    "supplier_representative": "supplier_representative",
    "internal_team_member": "team_representative",
}


def checked_zone(name: str) -> str:
    """An IANA time zone name, or an error naming the field."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("unknown time zone {zone}", "timezone", zone=name) from None
    return name


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(meeting: ReviewMeeting) -> str:
    """``2026-06-01 – 2026-08-31``: the period under review, both days included."""
    last = meeting.period_end - dt.timedelta(days=1)
    return f"{meeting.period_start.isoformat()} – {last.isoformat()}"


def is_overdue(meeting: ReviewMeeting, now: dt.datetime) -> bool:
    return meeting.status == "scheduled" and meeting.scheduled_at < now


def next_period(
    session: Session, agreement: Agreement, now: dt.datetime
) -> tuple[dt.date, dt.date]:
    """The months the agreement's next review looks back over (``end`` exclusive)."""
    months = FREQUENCY_MONTHS.get(agreement.review_frequency, 12)
    zone = ZoneInfo(agreements.current(agreement).timezone)
    last = repo.last_reviewed(session, agreement.id)
    if last is not None:
        start = last.period_end
    else:
        began = agreements.current(agreement).in_force_from or now
        local = began.astimezone(zone).date()
        start = dt.date(local.year, local.month, 1)
    this_month = now.astimezone(zone).date().replace(day=1)
    end = add_months(start, months)
    while add_months(end, months) <= this_month:  # long past: review the latest period due
        start, end = end, add_months(end, months)
    return start, end


def meeting_time(session: Session, agreement: Agreement, period_end: dt.date) -> dt.datetime:
    """An hour after the opening of the agreed working day of the month the period ends in
    (a week later at 10:00 local when the agreement has no calendar to count in)."""
    zone = agreements.current(agreement).timezone
    try:
        calendar, _ = working_calendar(session, agreement)
        opening = nth_working_day(calendar, period_end.year, period_end.month, MEETING_WORKING_DAY)
    except ServiceError:
        opening = None
    if opening is not None:
        return opening + dt.timedelta(hours=1)
    local = dt.datetime.combine(period_end + dt.timedelta(days=7), dt.time(10), ZoneInfo(zone))
    return local.astimezone(dt.UTC)


def schedule_due(
    session: Session, *, actor: Actor, now: dt.datetime | None = None
) -> list[ReviewMeeting]:
    """A scheduled meeting for every agreement in force that has none; returns the new ones."""
    require(actor, "review.write")
    moment = now or dt.datetime.now(dt.UTC)
    made = []
    for agreement in agreement_repo.agreements_in_force(session):
        if repo.scheduled_for(session, agreement.id) is not None:
            continue
        try:
            with session.begin_nested():
                made.append(_schedule(session, actor, agreement, moment))
        except IntegrityError:  # another worker scheduled it a moment ago
            continue
    return made


def _schedule(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    now: dt.datetime,
    *,
    period: tuple[dt.date, dt.date] | None = None,
    at: dt.datetime | None = None,
    chair_id: int | None = None,
    location: str = "",
) -> ReviewMeeting:
    start, end = period or next_period(session, agreement, now)
    meeting = ReviewMeeting(
        agreement_id=agreement.id,
        period_start=start,
        period_end=end,
        scheduled_at=at or meeting_time(session, agreement, end),
        chair_id=chair_id or agreement.manager_id,
        location=location,
        status="scheduled",
    )
    session.add(meeting)
    session.flush()
    for participant in default_participants(session, agreement, meeting):
        session.add(participant)
    meeting.agenda = review_agenda.build(session, meeting, agreement)
    audit.record(session, actor, "create", meeting, None, audit.snapshot(meeting, FIELDS))
    return meeting


def default_participants(
    session: Session, agreement: Agreement, meeting: ReviewMeeting
) -> list[ReviewParticipant]:
    """The chair as service level manager and the counterparty's representatives."""
    out = []
    if meeting.chair_id is not None:
        chair = identity_repo.user_by_id(session, meeting.chair_id)
        if chair is not None:
            out.append(
                _participant(
                    meeting, "service_level_manager", chair.display_name or chair.username, chair.id
                )
            )
    for user, role in identity_repo.representatives(session, agreement.counterparty_id):
        out.append(
            _participant(
                meeting,
                REP_ROLES.get(role, "other"),
                user.display_name or user.username,
                user.id,
                agreement.counterparty_id,
            )
        )
    return out


def _participant(
    meeting: ReviewMeeting, role: str, name: str, user_id: int | None, party_id: int | None = None
) -> ReviewParticipant:
    return ReviewParticipant(
        meeting_id=meeting.id, role=role, name=name[:200], user_id=user_id, party_id=party_id
    )


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
    return _schedule(
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
    if chair_id is not None and identity_repo.user_by_id(session, chair_id) is None:
        raise Invalid("no user {id}", "chair_id", id=chair_id)


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
    audit.record(session, actor, "update", meeting, before, audit.snapshot(meeting, FIELDS))
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
        if p.user_id is not None and identity_repo.user_by_id(session, p.user_id) is None:
            raise Invalid("no user {id}", f"participants.{i}.user_id", id=p.user_id)
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
    stands, the chair's reminder is done, and the next review is scheduled."""
    meeting = _editable(session, actor, meeting_id, version)
    _still_scheduled(meeting)
    minutes = text(record.minutes, "minutes", required=True, limit=100_000)
    if record.outcome not in OUTCOMES or not record.outcome:
        raise Invalid(
            "outcome must be one of {outcomes}", "outcome", outcomes=", ".join(OUTCOMES[1:])
        )
    decisions = [text(d, f"decisions.{i}", limit=2000) for i, d in enumerate(record.decisions)]
    moment = now or dt.datetime.now(dt.UTC)
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
        _schedule(session, actor, agreement, moment)
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


def remind_due(session: Session, *, now: dt.datetime) -> int:
    """Tell the chairs of meetings within :data:`REMIND_AHEAD` (once per meeting date)."""
    told = 0
    for meeting in repo.to_remind(session, now + REMIND_AHEAD):
        agreement = agreements.get_agreement(
            session, actor=SYSTEM, agreement_id=meeting.agreement_id
        )
        item = work.raise_agreement_item(
            session,
            actor=SYSTEM,
            kind="prepare_review",
            trigger="review_due",
            agreement_id=agreement.id,
        )
        item.assignee_id = meeting.chair_id
        chair = identity_repo.user_by_id(session, meeting.chair_id) if meeting.chair_id else None
        facts = {
            "agreement": agreement.code,
            "agreement_name": agreement.title,
            "meeting_at": meeting.scheduled_at.isoformat(),
            "period": period_label(meeting),
            "chair": (chair.display_name or chair.username) if chair else "",
            "location": meeting.location or None,
        }
        notifications.announce(
            session,
            agreement_id=agreement.id,
            kind="review",
            key=f"review:{meeting.id}:{meeting.scheduled_at.isoformat()}",
            facts=facts,
            urgent=False,
            now=now,
        )
        meeting.reminded_at = now
        told += 1
    session.flush()
    return told


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


@dataclass(frozen=True)
class RegisterRow:
    """One line of the review register as it is exported."""

    id: int
    agreement: str
    agreement_title: str
    kind: str
    counterparty: str
    period: str
    scheduled_at: dt.datetime
    chair: str
    status: str
    overdue: bool
    outcome: str
    held_at: dt.datetime | None
    attended: int
    invited: int
    decisions: int
    actions_open: int
    actions_done: int


def register(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int | None = None,
    status: str | None = None,
    now: dt.datetime | None = None,
) -> list[RegisterRow]:
    """Every review the actor may see, newest first, with its outcome and actions."""
    moment = now or dt.datetime.now(dt.UTC)
    page = list_meetings(
        session, actor=actor, agreement_id=agreement_id, status=status, limit=100_000
    )
    meetings = page.items
    heads = agreement_repo.heads(session, {m.agreement_id for m in meetings})
    kinds = {a.id: a.kind for a in agreement_repo.agreements_by_ids(session, list(heads))}
    names = party_repo.names(session, {p for _, _, p in heads.values()})
    chairs = identity_repo.display_names(session, {m.chair_id for m in meetings if m.chair_id})
    found = repo.actions_of(session, meeting_ids=[m.id for m in meetings])
    people = repo.participants_of_many(session, [m.id for m in meetings])
    rows = []
    for m in meetings:
        code, title, party = heads.get(m.agreement_id, ("", "", 0))
        mine = [a for a in found if a.meeting_id == m.id]
        invited = people.get(m.id, [])
        rows.append(
            RegisterRow(
                id=m.id,
                agreement=code,
                agreement_title=title,
                kind=kinds.get(m.agreement_id, ""),
                counterparty=names.get(party, ""),
                period=period_label(m),
                scheduled_at=m.scheduled_at,
                chair=chairs.get(m.chair_id or 0, ""),
                status=m.status,
                overdue=is_overdue(m, moment),
                outcome=m.outcome,
                held_at=m.held_at,
                attended=sum(1 for p in invited if p.attended),
                invited=len(invited),
                decisions=len(m.decisions.get("items", [])),
                actions_open=sum(1 for a in mine if a.status == "open"),
                actions_done=sum(1 for a in mine if a.status == "done"),
            )
        )
    return rows
