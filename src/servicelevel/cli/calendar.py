"""``slm calendar``: business time on a calendar file, from the command line."""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.definitions.calendars import ALWAYS, format_shift, load_calendar
from servicelevel.definitions.holiday_data import CountryHolidays, supported
from servicelevel.definitions.instants import format_instant, parse_instant
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import plan_days
from servicelevel.engine.durations import format_seconds, parse_duration

app = typer.Typer(
    help="Business time on a calendar: elapsed, deadline, show.", no_args_is_help=True
)
CALENDAR = typer.Option(..., "--calendar", "-c", help="Calendar file (YAML) or 24x7.")


class Output(StrEnum):
    text = "text"
    json = "json"


@app.command()
@reports_errors
def elapsed(
    start: str = typer.Argument(..., help="ISO 8601 instant; without offset: calendar's zone."),
    end: str = typer.Argument(..., help="ISO 8601 instant."),
    calendar: str = CALENDAR,
    output: Output = typer.Option(Output.text, "--format", "-f", help="text or json."),
) -> None:
    """Working time between START and END (negative when END is before START)."""
    spec = load_calendar(calendar)
    a, b = parse_instant(start, spec.zone), parse_instant(end, spec.zone)
    seconds = int(Calendar(spec).elapsed([a], [b])[0])
    if output is Output.json:
        typer.echo(json.dumps({"seconds": seconds, "text": format_seconds(seconds)}))
    else:
        typer.echo(f"{format_seconds(seconds)} ({seconds} seconds)")


@app.command()
@reports_errors
def deadline(
    start: str = typer.Argument(..., help="ISO 8601 instant; without offset: calendar's zone."),
    duration: str = typer.Argument(..., help="Working time: 4h, 2d 3h, 90m, PT8H, or 2bd."),
    calendar: str = CALENDAR,
    output: Output = typer.Option(Output.text, "--format", "-f", help="text or json."),
    tz: str = typer.Option("", "--tz", help="Show the result in this zone (default: calendar's)."),
) -> None:
    """The latest instant by which no more than DURATION of working time has passed."""
    spec = load_calendar(calendar)
    cal = Calendar(spec)
    begin = parse_instant(start, spec.zone)
    budget = parse_duration(duration)
    if budget.business_days is not None:
        due = int(cal.deadline_business_days(np.array([begin]), budget.business_days)[0])
    else:
        due = int(cal.deadline([begin], [budget.seconds])[0])
    zone = spec.zone if not tz else _zone(tz)
    text = format_instant(due, zone)
    if output is Output.json:
        typer.echo(json.dumps({"deadline": text, "epoch": due}))
    else:
        typer.echo(text)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(f"unknown time zone {name!r}") from None


@app.command()
@reports_errors
def show(
    calendar: str = typer.Option(
        ..., "--calendar", "-c", help="Calendar file (YAML), 24x7, or a stored calendar's code."
    ),
    year: int = typer.Option(
        0, "--year", help="Year to show (none: a stored calendar's document)."
    ),
    month: int = typer.Option(0, "--month", help="Month to show (default: the whole year)."),
    url: str = typer.Option("", "--url", help="Database URL, for a stored calendar."),
) -> None:
    """List each day's working hours, holidays and adjusted working days."""
    from rich.console import Console  # the tables' commands only: elapsed and deadline print text
    from rich.table import Table

    stored = not Path(calendar).exists() and calendar.strip().lower() not in ALWAYS
    if not year:
        if not stored:
            raise fail("give --year (or the code of a stored calendar, to see its document)")
        typer.echo(_stored_document(calendar, url), nl=False)
        return
    spec = _stored_spec(calendar, url) if stored else load_calendar(calendar)
    first = dt.date(year, month or 1, 1)
    last = dt.date(year + (month == 12), (month % 12) + 1, 1) if month else dt.date(year + 1, 1, 1)
    names = spec.holidays.names(year, year) if isinstance(spec.holidays, CountryHolidays) else {}
    adjusted = spec.holidays.working_days(year, year) if spec.holidays else frozenset()
    table = Table(title=f"{spec.name or calendar} ({spec.timezone})")
    for col in ("date", "day", "working hours", "note"):
        table.add_column(col)
    for plan in plan_days(spec, first, last - dt.timedelta(days=1)):
        hours = ", ".join(format_shift(s) for s in plan.shifts) or "closed"
        note = names.get(plan.date, "")
        if plan.date in adjusted:
            note = "adjusted working day (调休)"
        if plan.date in spec.custom_holidays:
            note = "custom holiday"
        if plan.date in spec.extra_working_days:
            note = "extra working day"
        table.add_row(plan.date.isoformat(), plan.date.strftime("%a"), hours, note)
    Console().print(table)


def _stored(code: str, url: str) -> dict[str, Any]:
    """A stored calendar as its document (the database is opened only for this)."""
    from servicelevel.services.as_code import apply
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.shared.errors import ServiceError
    from servicelevel.services.shared.uow import unit_of_work

    try:
        with unit_of_work(url or None) as session:
            return apply.document_of(session, actor=SYSTEM, kind="calendar", code=code)
    except ServiceError as exc:
        raise fail(f"{code}: no such file, and {exc.message}") from None


def _stored_document(code: str, url: str) -> str:
    from servicelevel.services.agreements.diff import as_yaml

    return as_yaml(_stored(code, url))


def _stored_spec(code: str, url: str) -> Any:
    from servicelevel.definitions.calendars import calendar_from_document
    from servicelevel.definitions.source import Located

    definition = {k: v for k, v in _stored(code, url).items() if k not in ("kind", "code")}
    return calendar_from_document(Located(definition, {}, code), code)


@app.command("list")
@reports_errors
def list_stored(
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """The calendars stored in the database: code, time zone and name."""
    from servicelevel.services.calendars import service_hours as calendars
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.shared.uow import unit_of_work

    with unit_of_work(url or None) as session:
        page = calendars.list_calendars(session, actor=SYSTEM, limit=1000)
        rows = [(c.code, c.timezone, c.name) for c in page.items]
    for code, zone, name in rows:
        typer.echo(f"{code}  {zone}  {name}")
    if not rows:
        typer.echo("none")


@app.command()
def countries() -> None:
    """Countries (and subdivisions) whose public holidays a calendar can use."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Supported countries (the `holidays` package)")
    table.add_column("code")
    table.add_column("subdivisions")
    for code, subdivisions in sorted(supported().items()):
        table.add_row(code, ", ".join(subdivisions))
    Console().print(table)
