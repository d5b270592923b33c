"""Hand-checked clock behaviour: response and resolution, pauses, reopen policies, warnings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pytest

from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import CalendarSpec, Shift
from servicelevel.engine.clocks import (
    NONE,
    ClockDefinition,
    Measurements,
    Mode,
    Status,
    durations,
    run_clock,
)
from servicelevel.engine.durations import LONGEST
from servicelevel.engine.timelines import from_rows

pytestmark = pytest.mark.usefixtures("kernel")  # every case through both kernels

H = 3600
OFFICE = Calendar(CalendarSpec("UTC", ((Shift(9 * H, 18 * H),),) * 5 + ((), ())))
RESPONSE = ClockDefinition(stop_events=frozenset({"responded"}))
RESOLUTION = ClockDefinition(
    pause_states=frozenset({"awaiting customer", "awaiting supplier"}),
    stop_states=frozenset({"resolved", "closed"}),
    cancel_states=frozenset({"cancelled"}),
)


def t(text: str) -> int:
    return int(dt.datetime.fromisoformat(text + "+00:00").timestamp())


def run(
    rows: Sequence[tuple[str, str, str | None]],
    clock: ClockDefinition,
    budget: int,
    now: str = "2025-03-31T00:00",
    thresholds: tuple[float, ...] = (),
) -> Measurements:
    tl = from_rows([[(t(a), s, e) for a, s, e in rows]])
    return run_clock(tl, clock, OFFICE, np.array([budget]), t(now), thresholds, explain=True)


def test_response_stops_for_good_at_the_first_response() -> None:
    m = run(
        [
            ("2025-03-03T10:00", "new", "created"),
            ("2025-03-03T10:20", "active", "responded"),
            ("2025-03-03T11:00", "new", None),
        ],
        RESPONSE,
        30 * 60,
    )
    assert Status(m.status[0]) is Status.MET
    assert m.used[0] == 20 * 60
    assert m.stopped_at[0] == t("2025-03-03T10:20")


def test_resolution_pauses_while_waiting_for_the_customer() -> None:
    m = run(
        [
            ("2025-03-03T10:00", "new", None),
            ("2025-03-03T12:00", "awaiting customer", None),
            ("2025-03-05T10:00", "active", None),
            ("2025-03-05T11:00", "resolved", None),
        ],
        RESOLUTION,
        4 * H,
    )
    assert Status(m.status[0]) is Status.MET
    assert m.used[0] == 3 * H
    assert m.paused[0] == 6 * H + 9 * H + H
    assert m.deadline[0] == t("2025-03-05T12:00")  # pauses push the deadline


def test_reopen_continue_keeps_time_and_restart_starts_again() -> None:
    rows = [
        ("2025-03-03T09:00", "new", None),
        ("2025-03-03T12:00", "resolved", None),
        ("2025-03-04T09:00", "active", "reopened"),
        ("2025-03-04T11:00", "resolved", None),
    ]
    cont = run(rows, RESOLUTION, 4 * H)
    assert (cont.used[0], Status(cont.status[0])) == (5 * H, Status.BREACHED)
    assert cont.breached_at[0] == t("2025-03-04T10:00")
    restart = ClockDefinition(stop_states=frozenset({"resolved"}), reopen="restart")
    again = run(rows, restart, 4 * H)
    assert (again.used[0], Status(again.status[0])) == (2 * H, Status.MET)
    assert again.started_at[0] == t("2025-03-04T09:00")


def test_cancelled_and_never_started_clocks() -> None:
    m = run(
        [("2025-03-03T09:00", "new", None), ("2025-03-03T10:00", "cancelled", None)], RESOLUTION, H
    )
    assert Status(m.status[0]) is Status.CANCELLED
    assigned = ClockDefinition(
        start_events=frozenset({"assigned"}), stop_states=frozenset({"resolved"})
    )
    p = run([("2025-03-03T09:00", "new", "created")], assigned, H)
    assert Status(p.status[0]) is Status.PENDING
    assert p.deadline[0] == NONE


def test_warnings_are_known_ahead_for_a_running_clock() -> None:
    m = run(
        [("2025-03-03T09:00", "new", None)],
        RESOLUTION,
        8 * H,
        now="2025-03-03T13:30",
        thresholds=(0.5, 0.75, 0.9),
    )
    assert Status(m.status[0]) is Status.RUNNING
    assert m.crossed[0].tolist() == [True, False, False]
    expected = [t("2025-03-03T13:00"), t("2025-03-03T15:00"), t("2025-03-03T16:12")]
    assert m.crossing_at[0].tolist() == expected
    assert m.deadline[0] == t("2025-03-03T17:00")


def test_a_running_clock_past_its_deadline_is_breached() -> None:
    m = run([("2025-03-03T09:00", "new", None)], RESOLUTION, 2 * H, now="2025-03-03T15:00")
    assert Status(m.status[0]) is Status.BREACHED
    assert m.breached_at[0] == t("2025-03-03T11:00")
    assert m.stopped_at[0] == NONE


def test_events_after_now_are_not_seen() -> None:
    rows = [("2025-03-03T09:00", "new", None), ("2025-03-03T12:00", "resolved", None)]
    m = run(rows, RESOLUTION, 8 * H, now="2025-03-03T10:00")
    assert Status(m.status[0]) is Status.RUNNING
    assert m.used[0] == H


def test_the_clock_explains_its_mode_after_every_event() -> None:
    m = run(
        [
            ("2025-03-03T09:00", "new", None),
            ("2025-03-03T10:00", "awaiting customer", None),
            ("2025-03-03T11:00", "active", None),
            ("2025-03-03T12:00", "resolved", None),
        ],
        RESOLUTION,
        8 * H,
    )
    assert m.modes is not None
    assert [Mode(x) for x in m.modes] == [Mode.RUNNING, Mode.PAUSED, Mode.RUNNING, Mode.STOPPED]


def test_an_empty_ticket_set_evaluates_to_nothing() -> None:
    tl = from_rows([])
    m = run_clock(tl, RESOLUTION, OFFICE, np.zeros(0, dtype=np.int64), t("2025-03-03T10:00"))
    assert len(m) == 0


def test_time_used_beyond_68_years_reads_68_years_and_the_breach_stays_where_it_was() -> None:
    around_the_clock = Calendar(CalendarSpec("UTC", ((Shift(0, 24 * H),),) * 7))
    tl = from_rows([[(t("1950-01-02T00:00"), "new", "created")]])
    m = run_clock(tl, RESOLUTION, around_the_clock, np.array([8 * H]), t("2025-01-02T00:00"))
    assert m.used.dtype == np.int32
    assert int(m.used[0]) == LONGEST == 2**31 - 1
    assert Status(m.status[0]) is Status.BREACHED
    assert int(m.breached_at[0]) == int(m.deadline[0]) == t("1950-01-02T08:00")


def test_durations_are_kept_in_32_bits_saturating() -> None:
    kept = durations([0, 59, 2**31 - 1, 2**31, 2**40])
    assert kept.dtype == np.int32
    assert kept.tolist() == [0, 59, LONGEST, LONGEST, LONGEST]
