"""Outages and maintenance windows, and the availability they leave within service hours."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import Outage
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.definitions.csvfiles import text_lines
from servicelevel.definitions.outages import parse_outage_csv
from servicelevel.definitions.source import DefinitionError
from servicelevel.definitions.tickets import BadRowsError
from servicelevel.engine.availability import Availability, Outages, availability
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.periods import Period, PeriodError, parse_period
from servicelevel.services.calendars.service_hours import business_calendar
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Invalid, NotFound

FIELDS = ("service", "starts_at", "ends_at", "planned", "title")


@dataclass(frozen=True)
class OutageData:
    service: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    planned: bool = False
    title: str = ""


def record_outage(session: Session, *, actor: Actor, data: OutageData) -> Outage:
    require(actor, "outage.write")
    if not data.service.strip():
        raise Invalid("a service is required", "service")
    if data.ends_at < data.starts_at:
        raise Invalid("an outage cannot end before it starts", "ends_at")
    outage = Outage(
        service=data.service.strip(),
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        planned=data.planned,
        title=data.title,
        source="manual",
    )
    session.add(outage)
    audit.record(session, actor, "create", outage, None, audit.snapshot(outage, FIELDS))
    return outage


def import_outages(
    session: Session, *, actor: Actor, records: list[OutageData], source: str
) -> int:
    """Record many outages read from a file, in one transaction, with one audit row."""
    require(actor, "outage.write")
    for i, data in enumerate(records, start=1):
        if data.ends_at < data.starts_at:
            raise Invalid("outage {n} ends before it starts", "ends_at", n=i)
    session.add_all(
        Outage(
            service=d.service,
            starts_at=d.starts_at,
            ends_at=d.ends_at,
            planned=d.planned,
            title=d.title,
            source=source,
        )
        for d in records
    )
    audit.record_bulk(session, actor, "import", "outage", {"source": source, "count": len(records)})
    return len(records)


def list_outages(
    session: Session,
    *,
    actor: Actor,
    service: str | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> list[Outage]:
    require(actor, "outage.read")
    return repo.outages_between(session, service=service, start=start, end=end)


def service_availability(
    session: Session,
    *,
    actor: Actor,
    service: str,
    calendar_code: str,
    period: str,
    objective: float | None = None,
    now: dt.datetime | None = None,
) -> Availability:
    """Availability of ``service`` in ``period`` within the hours of a stored calendar."""
    require(actor, "outage.read")
    record = calendar_repo.calendar_by_code(session, calendar_code)
    if record is None:
        raise NotFound("no calendar {code}", code=calendar_code)
    if objective is not None and not 0 < objective < 1:
        raise Invalid("an objective is a fraction between 0 and 1", "objective")
    cal = business_calendar(record)
    try:
        chosen = parse_period(period, cal.spec.timezone)
    except PeriodError as exc:
        raise Invalid("cannot read period {text}", "period", text=period) from exc
    as_of = int((now or dt.datetime.now(dt.UTC)).timestamp())
    return availability_of(session, service, cal, chosen, objective, as_of)


def availability_of(
    session: Session,
    service: str,
    calendar: Calendar,
    period: Period,
    objective: float | None,
    as_of: int,
) -> Availability:
    """The recorded outages of ``service`` in ``period``, within ``calendar``'s hours."""
    spans = outage_spans(session, service, period)
    return availability(spans, calendar, period.start, period.end, objective, as_of=as_of)


def outage_spans(session: Session, service: str, period: Period) -> Outages:
    """The recorded outages of ``service`` overlapping ``period``, as the engine takes them."""
    return spans_between(session, service, period.start, period.end)


def spans_between(session: Session, service: str, start: int, end: int) -> Outages:
    """The recorded outages of ``service`` overlapping ``[start, end)`` (epoch seconds)."""
    rows = repo.outages_between(
        session,
        service=service,
        start=dt.datetime.fromtimestamp(start, dt.UTC),
        end=dt.datetime.fromtimestamp(end, dt.UTC),
    )
    return Outages.of(
        [(int(o.starts_at.timestamp()), int(o.ends_at.timestamp()), o.planned) for o in rows]
    )


def import_csv(session: Session, *, actor: Actor, text: str, source: str) -> int:
    """Outages and maintenance windows (``planned``) from CSV text posted to the API: all or
    nothing, every bad row named by its line."""
    require(actor, "outage.write")
    try:
        records = parse_outage_csv(text_lines(text, source), source)
    except BadRowsError as exc:
        error = Invalid(
            "{count} row(s) cannot be read, so nothing was recorded", "csv", count=len(exc.errors)
        )
        error.details = [{"row": e.row, "field": "csv", "message": e.reason} for e in exc.errors]
        raise error from None
    except DefinitionError as exc:
        raise Invalid("the CSV cannot be read: {reason}", "csv", reason=exc.message) from None
    data = [
        OutageData(
            r.service,
            dt.datetime.fromtimestamp(r.start, dt.UTC),
            dt.datetime.fromtimestamp(r.end, dt.UTC),
            r.planned,
            r.title,
        )
        for r in records
    ]
    return import_outages(session, actor=actor, records=data, source=source)
