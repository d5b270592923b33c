"""The demo is a year of history ending at the moment it is loaded, whatever that moment is.

"Now" is an input here, not a constant: the loader runs with the real clock moved (by
``time-machine``, so every ``datetime.now`` inside it and inside the services it calls moves
too) to instants across a day and across the year — the hour of the day when a day's planned
tickets are not all opened yet, both sides of midnight in Beijing and UTC, 1 January, 29
February, a weekend, the daylight-saving switches.
"""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicelevel.db.models.monitoring import Ticket, TicketEvent
from servicelevel.demo.agreements import DemoTerm
from servicelevel.demo.loader import load_demo
from servicelevel.demo.tickets import LIVE, load_demo_tickets
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import queue as ticket_queue
from servicelevel.services.parties import directory as parties
from servicelevel.services.reviews import meetings as reviews

UTC = dt.UTC
BEIJING = dt.timezone(dt.timedelta(hours=8))

# Instants across a year: each a different reason for a loader to trip.
ACROSS_THE_YEAR = [
    dt.datetime(2026, 12, 3, 9, 18, tzinfo=UTC),  # the hour `make run` crashed at
    dt.datetime(2026, 12, 31, 16, 0, 30, tzinfo=UTC),  # 1 January already in Beijing
    dt.datetime(2027, 1, 1, 0, 0, 30, tzinfo=UTC),  # 1 January in UTC
    dt.datetime(2028, 2, 29, 23, 59, tzinfo=UTC),  # leap day (1 March in Beijing)
    dt.datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # Sunday, New York springs forward
    dt.datetime(2026, 10, 3, 22, 45, tzinfo=UTC),  # Golden Week Sunday, late evening
]

# Every twenty minutes of one day (UTC), for the part that depends on the hour: which of the
# day's tickets have been opened, and which of their events have happened.
ACROSS_A_DAY = [
    dt.datetime(2026, 12, 3, tzinfo=UTC) + dt.timedelta(minutes=20 * i) for i in range(72)
]


def _customers(session: Session) -> None:
    for code in ("CONTOSO", "FABRIKAM"):
        parties.create_party(
            session, actor=SYSTEM, data=parties.PartyData(code, "customer", code.title(), {})
        )


def _history_ends_by(session: Session, now: dt.datetime) -> None:
    """Every ticket has begun, and nothing has happened after ``now``."""
    latest_event = session.scalar(select(func.max(TicketEvent.at)))
    latest_opening = session.scalar(select(func.max(Ticket.opened_at)))
    assert latest_event is not None
    assert latest_opening is not None
    assert _aware(latest_event) <= now
    assert _aware(latest_opening) <= now
    without_events = session.scalar(
        select(func.count())
        .select_from(Ticket)
        .where(~select(TicketEvent.id).where(TicketEvent.ticket_id == Ticket.id).exists())
    )
    assert without_events == 0


def _aware(instant: dt.datetime) -> dt.datetime:
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@pytest.mark.parametrize("now", ACROSS_A_DAY, ids=lambda t: t.strftime("%H%M"))
def test_demo_tickets_load_at_every_hour_of_the_day(session: Session, now: dt.datetime) -> None:
    _customers(session)
    with time_machine.travel(now, tick=False):
        added = load_demo_tickets(session, dt.datetime.now(UTC), days=3)
    session.flush()
    assert added > 0
    _history_ends_by(session, now)


def test_a_ticket_planned_for_later_today_is_not_there_yet(session: Session) -> None:
    _customers(session)
    before_office = dt.datetime(2026, 12, 3, 7, 30, tzinfo=BEIJING)  # a Thursday
    load_demo_tickets(session, before_office, days=1)
    session.flush()
    titles = set(session.scalars(select(Ticket.title)))
    assert titles == {title for title, _, _ in LIVE}  # only those open right now


def test_the_days_planned_tickets_are_all_there_at_its_end(session: Session) -> None:
    _customers(session)
    end_of_day = dt.datetime(2026, 12, 3, 23, 59, tzinfo=BEIJING)
    assert load_demo_tickets(session, end_of_day, days=1) > len(LIVE)  # the day's plan too


def test_a_ticket_opened_before_now_is_open_when_its_resolution_is_still_to_come(
    session: Session,
) -> None:
    _customers(session)
    noon = dt.datetime(2026, 12, 3, 12, 0, tzinfo=BEIJING)
    assert load_demo_tickets(session, noon, days=1) > 0
    session.flush()
    states = set(session.scalars(select(Ticket.state)))
    assert states & {"New", "In Progress", "Awaiting Customer", "Awaiting Supplier"}
    assert "Closed" not in states  # closure comes five days after resolution


@pytest.mark.parametrize("now", ACROSS_THE_YEAR, ids=lambda t: t.strftime("%Y%m%d%H%M"))
def test_the_whole_demo_loads_at_any_moment_of_the_year(session: Session, now: dt.datetime) -> None:
    with time_machine.travel(now, tick=True):
        added = load_demo(session)
        session.flush()
        moment = dt.datetime.now(UTC)
    assert added["tickets"] > 1000  # a year of working days
    _history_ends_by(session, moment)
    term = DemoTerm.around(now.date())
    assert term.start <= now.date() - dt.timedelta(days=365 - 31) < term.end
    [sla] = [
        a
        for a in agreements.list_agreements(session, actor=SYSTEM).items
        if a.code.startswith("SLA-CONTOSO")
    ]
    assert sla.status == "active"
    [held] = reviews.list_meetings(session, actor=SYSTEM, status="held").items
    assert _aware(held.scheduled_at) < now
    assert held.period_start == term.start


@pytest.mark.parametrize(
    ("today", "start", "end", "supplier_end"),
    [
        ("2026-12-03", "2025-12-01", "2027-11-30", "2027-08-31"),
        ("2027-01-01", "2026-01-01", "2027-12-31", "2027-09-30"),
        ("2028-02-29", "2027-02-01", "2029-01-31", "2028-10-31"),
        ("2026-03-31", "2025-03-01", "2027-02-28", "2026-11-30"),
    ],
)
def test_demo_agreements_began_a_year_ago_and_run_a_year_on(
    today: str, start: str, end: str, supplier_end: str
) -> None:
    term = DemoTerm.around(dt.date.fromisoformat(today))
    assert (term.start, term.end, term.supplier_end) == tuple(
        dt.date.fromisoformat(d) for d in (start, end, supplier_end)
    )


@pytest.mark.parametrize("now", ACROSS_THE_YEAR[:3], ids=lambda t: t.strftime("%Y%m%d%H%M"))
def test_the_demo_has_clocks_at_risk_overdue_and_paused_whatever_the_hour(
    session: Session, now: dt.datetime
) -> None:
    """The queue and the dashboards are for what needs attention now: the demo keeps a few
    of Contoso's e-mail tickets open at the moment it loads (P1 clocks run around the clock)."""
    with time_machine.travel(now, tick=False):
        load_demo(session)
        session.flush()
        counts = ticket_queue.clock_counts(
            session, actor=SYSTEM, filters=ticket_queue.QueueFilter(customer="CONTOSO"), now=now
        )
    assert counts["at_risk"] >= 1
    assert counts["overdue"] >= 1
    assert counts["paused"] >= 1
