"""Calendars (service hours) kept in the database in the documented calendar format."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import CalendarRecord
from servicelevel.db.repositories import calendars as repo
from servicelevel.db.repositories.common import Page
from servicelevel.definitions.calendars import calendar_from_document
from servicelevel.definitions.source import DefinitionError, Located, parse_yaml
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import CalendarSpec
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

FIELDS = ("code", "name", "timezone", "definition")
NO_WORKING_TIME = (
    "the calendar has no working time: give working hours for at least one day of the week "
    "(e.g. mon-fri: 09:00-18:00) or an extra working day"
)


def compile_definition(definition: dict[str, Any]) -> CalendarSpec:
    """Validate a calendar document; a mistake is a 422 naming the field."""
    try:
        json.dumps(definition)
    except (TypeError, ValueError):
        raise Invalid(
            "a calendar definition holds only text, numbers, lists and mappings", "definition"
        ) from None
    try:
        return calendar_from_document(Located(definition, {}, "calendar"))
    except DefinitionError as exc:
        raise Invalid(
            exc.message, f"definition.{exc.field}" if exc.field else "definition"
        ) from None


def with_working_time(spec: CalendarSpec) -> CalendarSpec:
    """Refuse to store a calendar on which no deadline could ever fall."""
    if not spec.has_working_time():
        raise Invalid(NO_WORKING_TIME, "definition.hours")
    return spec


def definition_from_text(text: str, *, actor: Actor) -> dict[str, Any]:
    """Read a calendar written as YAML (as in a calendar file), naming the line of a mistake.

    Only someone who may write calendars gets their text parsed at all."""
    require(actor, "calendar.write")
    try:
        doc = parse_yaml(text, "definition")
        if not calendar_from_document(doc).has_working_time():
            raise doc.error(("hours",), NO_WORKING_TIME)
    except DefinitionError as exc:
        where = f"line {exc.line}: " if exc.line else ""
        where += f"column {exc.column}: " if exc.line and exc.column else ""
        field = f"{exc.field}: " if exc.field else ""
        raise Invalid(f"{where}{field}{exc.message}", "definition") from None
    if not isinstance(doc.data, dict):
        raise Invalid("a calendar is a mapping of keys such as timezone and hours", "definition")
    data: dict[str, Any] = doc.data
    return data


def create_calendar(
    session: Session, *, actor: Actor, code: str, definition: dict[str, Any]
) -> CalendarRecord:
    require(actor, "calendar.write")
    if not code.strip():
        raise Invalid("a code is required", "code")
    if repo.calendar_by_code(session, code.strip()) is not None:
        raise Conflict("a calendar with code {code} exists already", "code", code=code)
    spec = with_working_time(compile_definition(definition))
    record = CalendarRecord(
        code=code.strip(),
        name=spec.name or code.strip(),
        timezone=spec.timezone,
        definition=definition,
    )
    session.add(record)
    audit.record(session, actor, "create", record, None, audit.snapshot(record, FIELDS))
    return record


def get_calendar(session: Session, *, actor: Actor, calendar_id: int) -> CalendarRecord:
    require(actor, "calendar.read")
    record = repo.calendar_by_id(session, calendar_id)
    if record is None:
        raise NotFound("no calendar {id}", id=calendar_id)
    return record


def list_calendars(
    session: Session, *, actor: Actor, search: str | None = None, offset: int = 0, limit: int = 50
) -> Page[CalendarRecord]:
    require(actor, "calendar.read")
    return repo.list_calendars(session, search=search, offset=offset, limit=limit)


def update_calendar(
    session: Session, *, actor: Actor, calendar_id: int, version: int, definition: dict[str, Any]
) -> CalendarRecord:
    require(actor, "calendar.write")
    record = get_calendar(session, actor=actor, calendar_id=calendar_id)
    audit.check_version(record, version)
    spec = with_working_time(compile_definition(definition))
    before = audit.snapshot(record, FIELDS)
    record.definition = definition
    record.name = spec.name or record.code
    record.timezone = spec.timezone
    audit.record_update(session, actor, record, before, audit.snapshot(record, FIELDS))
    return record


def business_calendar(record: CalendarRecord) -> Calendar:
    """The engine calendar for a stored definition."""
    return Calendar(compile_definition(record.definition))
