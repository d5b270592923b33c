"""Report schedules: publish an agreement's service report for the month before on the Nth
working day of each month — counted in one of the agreement's calendars, so China's holidays
and adjusted working days move it — and send it to the agreement's distribution list.

The worker claims due schedules (:func:`claim_due`: the report is published as a snapshot and
the schedule moved to its next date in one transaction, so no other worker runs it again),
mails the report with its PDF (``jobs/worker``: rendering is an adapter's job) and records the
delivery (:func:`record`), sent or failed with why.

A manager can also run a schedule now (:func:`run_now`) — to try a distribution list without
waiting for the Nth working day: a job the worker runs like a scheduled run (the month before
published, mailed, a delivery recorded), leaving the schedule's next run where it was.

The mail is in the schedule's language with the agreement's title in it, and says when it was
sent in each recipient's zone: a user of servicelevel with that address reads their own zone,
any other address the agreement's reporting zone (recipients are grouped by zone, one mail
per group).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, Job, ReportDelivery, ReportSchedule, ServiceReport
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.engine.business_time import Calendar
from servicelevel.i18n.moments import NOT_CHOSEN
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.for_engine import engine_agreement
from servicelevel.services.agreements.printing import LOCALES
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import SYSTEM, Actor, require
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import Invalid, NotFound, ServiceError

FIELDS = ("agreement_id", "language", "working_day", "calendar_key", "recipients", "active")
RUN_NOW = "report_run"  # the job of a schedule run now by a manager


@dataclass(frozen=True)
class ScheduleData:
    emails: list[str]
    language: str = "en"
    working_day: int = 3
    calendar_key: str = ""  # empty: the agreement's first calendar that is not 24x7
    active: bool = True


def create_schedule(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    data: ScheduleData,
    now: dt.datetime | None = None,
) -> ReportSchedule:
    require(actor, "report.publish")
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    if not 1 <= data.working_day <= 20:
        raise Invalid("the working day is a number from 1 to 20", "working_day")
    if data.language not in LOCALES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    emails = [e.strip() for e in data.emails if e.strip()]
    bad = [e for e in emails if "@" not in parseaddr(e)[1] or " " in e]
    if not emails or bad:
        raise Invalid("recipients must be email addresses", "emails")
    schedule = ReportSchedule(
        agreement_id=agreement.id,
        language=data.language,
        working_day=data.working_day,
        calendar_key=_calendar_key(agreement, data.calendar_key),
        recipients={"emails": emails},
        active=data.active,
        next_run_at=dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    )
    schedule.next_run_at = next_run(session, schedule, now or dt.datetime.now(dt.UTC))
    session.add(schedule)
    audit.record(session, actor, "create", schedule, None, audit.snapshot(schedule, FIELDS))
    return schedule


def _calendar_key(agreement: Agreement, wanted: str) -> str:
    version = agreements.current(agreement)
    keys = [c.key for c in version.calendars]
    if wanted:
        if wanted not in keys:
            raise Invalid("the agreement has no calendar {key}", "calendar_key", key=wanted)
        return wanted
    chosen = [c.key for c in version.calendars if c.calendar_id is not None]
    if not (chosen or keys):
        raise Invalid("the agreement has no calendar to count working days in", "calendar_key")
    return (chosen or keys)[0]


def list_schedules(session: Session, *, actor: Actor, agreement_id: int) -> list[ReportSchedule]:
    require(actor, "report.read")
    agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    query = select(ReportSchedule).where(ReportSchedule.agreement_id == agreement_id)
    return list(session.scalars(query.order_by(ReportSchedule.id)))


def deliveries(session: Session, *, actor: Actor, schedule_id: int) -> list[ReportDelivery]:
    """A schedule's runs, newest first; a schedule that does not exist and one of an agreement
    the actor may not see answer the same (no existence leak)."""
    require(actor, "report.read")
    _visible(session, actor, schedule_id)
    query = select(ReportDelivery).where(ReportDelivery.schedule_id == schedule_id)
    return list(session.scalars(query.order_by(ReportDelivery.id.desc())))


def _visible(session: Session, actor: Actor, schedule_id: int) -> ReportSchedule:
    schedule = session.get(ReportSchedule, schedule_id)
    try:
        if schedule is None:
            raise NotFound("no report schedule {id}", id=schedule_id)
        agreements.get_agreement(session, actor=actor, agreement_id=schedule.agreement_id)
    except NotFound:
        raise NotFound("no report schedule {id}", id=schedule_id) from None
    return schedule


def run_now(
    session: Session, *, actor: Actor, schedule_id: int, now: dt.datetime | None = None
) -> Job:
    """Run a schedule now, as the worker would on its day: a job that publishes the month
    before and mails it (``jobs/worker``), recorded as a delivery. The schedule's next run
    stays where it was — a trial run does not skip the month's own."""
    require(actor, "report.publish")
    schedule = _visible(session, actor, schedule_id)
    period = previous_month(session, schedule, now or dt.datetime.now(dt.UTC))
    job = jobs.enqueue(
        session,
        kind=RUN_NOW,
        payload={"schedule_id": schedule.id, "period": period, "requested_by": actor.user_id},
    )
    facts = {"period": period, "job_id": job.id, "next_run_at": schedule.next_run_at.isoformat()}
    audit.record(session, actor, "run_now", schedule, None, facts)
    return job


def requested_run(session: Session, job: Job, now: dt.datetime) -> Run:
    """The run a manager asked for (:func:`run_now`): the report published; the caller mails
    it and :func:`record`s the delivery."""
    schedule = session.get(ReportSchedule, int(job.payload["schedule_id"]))
    if schedule is None:
        raise NotFound("no report schedule {id}", id=job.payload["schedule_id"])
    return _run(session, schedule, str(job.payload["period"]), now)


def _calendar(session: Session, schedule: ReportSchedule) -> tuple[Calendar, str]:
    agreement = agreements.get_agreement(session, actor=SYSTEM, agreement_id=schedule.agreement_id)
    return working_calendar(session, agreement, schedule.calendar_key)


def working_calendar(session: Session, agreement: Agreement, key: str = "") -> tuple[Calendar, str]:
    """One of the agreement's calendars (``key``, else its first stored one) to count working
    days in, and the agreement's reporting zone."""
    version = agreements.current(agreement)
    engine = engine_agreement(session, agreement, version)
    return engine.calendars[_calendar_key(agreement, key)], engine.timezone


def next_run(session: Session, schedule: ReportSchedule, after: dt.datetime) -> dt.datetime:
    """The opening of the Nth working day of the first month whose Nth working day opens
    after ``after`` — when the month before can be reported."""
    calendar, _ = _calendar(session, schedule)
    zone = ZoneInfo(calendar.spec.timezone)
    local = after.astimezone(zone)
    year, month = local.year, local.month
    for _ in range(24):
        due = nth_working_day(calendar, year, month, schedule.working_day)
        if due is not None and due > after:
            return due
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise Invalid("the calendar has no working days for the schedule", "calendar_key")


def nth_working_day(calendar: Calendar, year: int, month: int, n: int) -> dt.datetime | None:
    """When the ``n``-th working day of a month opens (``None`` if it has fewer)."""
    zone = ZoneInfo(calendar.spec.timezone)
    moment = int(dt.datetime(year, month, 1, tzinfo=zone).timestamp())
    opening = None
    for _ in range(n):
        opening = int(calendar.next_opening([moment])[0])
        local = dt.datetime.fromtimestamp(opening, zone)
        if (local.year, local.month) != (year, month):
            return None
        day_end = dt.datetime(local.year, local.month, local.day, tzinfo=zone) + dt.timedelta(
            days=1
        )
        moment = int(day_end.timestamp())
    return None if opening is None else dt.datetime.fromtimestamp(opening, dt.UTC)


@dataclass(frozen=True)
class Run:
    """A claimed run: what to send, and to whom (no session needed to send it). ``zones``
    groups the addresses by the zone their mail names its send time in."""

    schedule_id: int
    report_id: int | None
    period: str
    html: str
    emails: list[str]
    language: str
    facts: dict[str, str]
    error: str = ""
    zones: dict[str, list[str]] = field(default_factory=dict)


def claim_due(session: Session, now: dt.datetime) -> list[Run]:
    """Publish the due reports and move each schedule on (so that no other worker runs it
    again); the caller commits, sends, then :func:`record`s each run."""
    query = (
        select(ReportSchedule)
        .where(ReportSchedule.active.is_(True), ReportSchedule.next_run_at <= now)
        .order_by(ReportSchedule.next_run_at)
        .with_for_update(skip_locked=True)
    )
    runs = []
    for schedule in session.scalars(query):
        period = previous_month(session, schedule, now)
        schedule.next_run_at = next_run(session, schedule, now)
        runs.append(_run(session, schedule, period, now))
    session.flush()
    return runs


def _run(session: Session, schedule: ReportSchedule, period: str, now: dt.datetime) -> Run:
    """Publish ``period`` for the schedule and say what to mail to whom."""
    emails = list(schedule.recipients.get("emails", []))
    try:
        with session.begin_nested():
            report = publish(session, schedule, period, now)
    except ServiceError as exc:
        return Run(schedule.id, None, period, "", emails, schedule.language, {}, exc.message)
    head = agreements.get_agreement(session, actor=SYSTEM, agreement_id=schedule.agreement_id)
    tag = schedule.language.replace("_", "-")
    titles = head.titles if isinstance(head.titles, dict) else {}
    facts = {
        "agreement": head.code,
        "agreement_name": str(titles.get(tag) or head.title),
        "period": period,
        "now": now.isoformat(),
    }
    zones = recipient_zones(session, emails, agreements.current(head).timezone)
    return Run(
        schedule.id, report.id, period, report.html, emails, schedule.language, facts, "", zones
    )


def recipient_zones(session: Session, emails: list[str], default: str) -> dict[str, list[str]]:
    """``zone → addresses``: a user's own zone for their address, else ``default`` (also for
    a user who never chose a zone: theirs is still the placeholder moments.NOT_CHOSEN)."""
    known = identity_repo.zones_of_emails(session, emails)
    out: dict[str, list[str]] = {}
    for email in emails:
        zone = known.get(email.strip().lower())
        out.setdefault(default if zone in (None, NOT_CHOSEN) else zone, []).append(email)
    return out


def previous_month(session: Session, schedule: ReportSchedule, now: dt.datetime) -> str:
    """The label of the month before ``now`` in the agreement's reporting zone."""
    _, timezone = _calendar(session, schedule)
    local = now.astimezone(ZoneInfo(timezone))
    year, month = (local.year - 1, 12) if local.month == 1 else (local.year, local.month - 1)
    return f"{year}-{month:02d}"


def publish_due(session: Session, schedule: ReportSchedule, now: dt.datetime) -> ServiceReport:
    """Publish the month before as a snapshot (the schedule acts as the system)."""
    return publish(session, schedule, previous_month(session, schedule, now), now)


def publish(
    session: Session, schedule: ReportSchedule, period: str, now: dt.datetime
) -> ServiceReport:
    return report_snapshots.publish(
        session,
        actor=SYSTEM,
        agreement_id=schedule.agreement_id,
        period=period,
        language=schedule.language,
        note="published by schedule",
        now=now,
    )


def record(session: Session, run: Run, *, error: str | None, now: dt.datetime) -> ReportDelivery:
    """Write down a run: the report it published, and whether the mail went out."""
    problem = run.error or error or ""
    delivery = ReportDelivery(
        schedule_id=run.schedule_id,
        report_id=run.report_id,
        period=run.period,
        status="failed" if problem else "sent",
        recipients={"emails": run.emails},
        error=problem[:1000],
        attempted_at=now,
    )
    session.add(delivery)
    schedule = session.get(ReportSchedule, run.schedule_id)
    if schedule is not None:
        schedule.last_run_at = now
    session.flush()
    return delivery
