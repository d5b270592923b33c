"""When each agreement is reviewed (SLM5): one meeting kept scheduled for every agreement in
force, at its review frequency, and the chair reminded ahead.

- :func:`schedule_due` keeps one meeting scheduled for every agreement in force. A meeting
  looks back over whole months: the period after the last one reviewed (from the start of
  the agreement for the first), as long as the review frequency. It is set on the
  :data:`MEETING_WORKING_DAY`-th working day after the period — counted in the agreement's
  calendar, after the month's reports went out — and a period long past is not reviewed late
  one by one: the latest one due is scheduled (and shows overdue).
- :func:`remind_due` tells the chair :data:`REMIND_AHEAD` before: a "prepare the review" item
  on the work list and a notice on the agreement's channels.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, ReviewMeeting, ReviewParticipant
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.i18n import moments
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.reporting.schedules import nth_working_day, working_calendar
from servicelevel.services.reviews import agenda as review_agenda
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import ServiceError

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


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(meeting: ReviewMeeting, locale: str | None = None) -> str:
    """The period under review, both days included: ``2026-06-01 – 2026-08-31``, or in a
    reader's words ("Jun 1, 2026 – Aug 31, 2026", see i18n.moments) when ``locale`` is given."""
    last = meeting.period_end - dt.timedelta(days=1)
    if locale is not None:
        return f"{moments.day(meeting.period_start, locale)} – {moments.day(last, locale)}"
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
                made.append(schedule(session, actor, agreement, moment))
        except IntegrityError:  # another worker scheduled it a moment ago
            continue
    return made


def schedule(
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
            "period_from": meeting.period_start.isoformat(),  # for the words of each reader
            "period_to": (meeting.period_end - dt.timedelta(days=1)).isoformat(),
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
        repo.mark_reminded(session, meeting.id, now)  # not meeting.reminded_at: no new version
        told += 1
    session.flush()
    return told
