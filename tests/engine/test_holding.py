"""A target held by a team counts only while the team holds the ticket: checked by hand on
hand-offs, pauses and stops, and against the stepping reference (which pauses the clock while
another team holds the ticket) on random tickets and random hand-offs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from servicelevel.engine.agreements import Agreement
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import always_open
from servicelevel.engine.clocks import NONE, ClockDefinition, Status, run_clock
from servicelevel.engine.durations import parse_duration
from servicelevel.engine.evaluation import measure
from servicelevel.engine.holding import (
    NoHoldersError,
    carried_forward,
    handoffs,
    held_clock,
    held_timelines,
    holder_at,
)
from servicelevel.engine.targets import Categorical, Target, TicketSet
from servicelevel.engine.timelines import from_rows
from tests.engine.reference import ref_clock
from tests.engine.strategies import CalendarPair, calendars, has_work
from tests.engine.test_clocks_properties import Rules, clocks, epoch, tickets

pytestmark = pytest.mark.usefixtures("kernel")  # every case through both kernels

H = 3600
T0 = int(dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC).timestamp())
RESOLUTION = ClockDefinition(
    pause_states=frozenset({"Awaiting Customer"}), stop_states=frozenset({"Resolved"})
)
TEAMS = [None, "service-desk", "network"]


def one_ticket(*events: tuple[float, str, str | None]) -> tuple[TicketSet, list[str | None]]:
    """A ticket from (hours after T0, state, team named by the event or None)."""
    tl = from_rows([[(T0 + int(h * H), state, None) for h, state, _ in events]])
    named = [team for _, _, team in events]
    holders = carried_forward(tl, Categorical.from_strings(named))
    return TicketSet(("INC1",), tl, {}, holders), named


def network_clock(ticket: TicketSet, budget: int, now: int) -> tuple[int, int, str]:
    """Used time, breach instant and status of the resolution clock held by the network team."""
    assert ticket.holders is not None
    tl = held_timelines(ticket.timelines, ticket.holders, "network")
    clock = held_clock(RESOLUTION, ticket.timelines.states)
    got = run_clock(tl, clock, Calendar(always_open()), np.array([budget]), now)
    return int(got.used[0]), int(got.breached_at[0]), Status(got.status[0]).label


def test_the_clock_counts_only_the_hours_the_team_held_the_ticket() -> None:
    ticket, _ = one_ticket(
        (0, "New", "service-desk"),
        (1, "In Progress", "network"),
        (3, "In Progress", "service-desk"),  # handed back after two hours
        (4, "Resolved", None),  # resolved by the service desk: the clock stops all the same
    )
    assert network_clock(ticket, 4 * H, T0 + 10 * H) == (2 * H, NONE, "met")
    assert ticket.holders is not None
    assert handoffs(ticket.timelines, ticket.holders, "network", np.array([0])).tolist() == [1]


def test_two_stints_with_the_team_add_up_and_the_breach_falls_in_the_second() -> None:
    ticket, _ = one_ticket(
        (0, "New", "network"),
        (1, "In Progress", "service-desk"),
        (5, "In Progress", "network"),
        (8, "Resolved", None),
    )
    used, breached_at, status = network_clock(ticket, 2 * H, T0 + 10 * H)
    assert (used, status) == (4 * H, "breached")
    assert breached_at == T0 + 6 * H  # one hour of the first stint, one of the second
    assert ticket.holders is not None
    assert handoffs(ticket.timelines, ticket.holders, "network", np.array([0])).tolist() == [2]
    at = np.array([breached_at, T0 + 2 * H, NONE, T0 - H])
    assert holder_at(ticket.timelines, ticket.holders, np.zeros(4, np.int64), at) == [
        "network",
        "service-desk",
        "",
        "",
    ]


def test_waiting_for_the_customer_pauses_the_team_clock_as_it_pauses_any() -> None:
    ticket, _ = one_ticket(
        (0, "In Progress", "network"),
        (1, "Awaiting Customer", None),  # a blank team keeps the network team
        (6, "In Progress", None),
        (7, "Resolved", None),
    )
    assert network_clock(ticket, 4 * H, T0 + 10 * H) == (2 * H, NONE, "met")


def test_a_ticket_the_team_holds_now_runs_and_one_elsewhere_waits() -> None:
    ticket, _ = one_ticket((0, "In Progress", "network"))
    assert network_clock(ticket, 4 * H, T0 + 3 * H) == (3 * H, NONE, "running")
    away, _ = one_ticket((0, "In Progress", "network"), (1, "In Progress", "service-desk"))
    assert network_clock(away, 4 * H, T0 + 3 * H) == (H, NONE, "paused")


def test_an_ola_measures_the_tickets_its_team_held_and_needs_tickets_that_say_who_held_them() -> (
    None
):
    cal = Calendar(always_open())
    target = Target("net-resolution", "resolution", parse_duration("4h"), "24x7", held_by="network")
    ola = Agreement(
        id="OLA-NET",
        kind="OLA",
        title="Network",
        provider="network",
        counterparty="service-desk",
        timezone="UTC",
        calendars={"24x7": cal},
        clocks={"resolution": RESOLUTION},
        targets=(target,),
    )
    ticket, _ = one_ticket(
        (0, "New", "service-desk"), (1, "In Progress", "network"), (3, "Resolved", "network")
    )
    idx, got = measure(ola, ticket, T0 + 5 * H, workers=1)["net-resolution"]
    assert (idx.tolist(), got.used.tolist()) == ([0], [2 * H])
    elsewhere, _ = one_ticket((0, "New", "service-desk"), (3, "Resolved", None))
    idx, got = measure(ola, elsewhere, T0 + 5 * H, workers=1)["net-resolution"]
    assert idx.size == 0  # never with the network team: not the OLA's ticket
    without = TicketSet(ticket.ids, ticket.timelines, {})
    with pytest.raises(NoHoldersError, match="map a team column"):
        measure(ola, without, T0 + 5 * H, workers=1)


@settings(max_examples=200, deadline=None)
@given(
    calendars(),
    st.lists(tickets(), min_size=1, max_size=5),
    clocks,
    st.integers(0, 3 * 86_400),
    st.integers(0, 6 * 86_400),
    st.data(),
)
def test_a_held_clock_matches_the_reference_that_pauses_while_another_team_holds_the_ticket(
    pair: CalendarPair,
    many: list[list[tuple[dt.datetime, str, str | None]]],
    rules: Rules,
    budget: int,
    after: int,
    data: st.DataObject,
) -> None:
    assume(rules.stop_states or rules.stop_events)
    assume(has_work(pair, budget))
    named = [[data.draw(st.sampled_from(TEAMS)) for _ in t] for t in many]
    now = max(e[0] for t in many for e in t) + dt.timedelta(seconds=after)
    tl = from_rows([[(epoch(a), s, n) for a, s, n in t] for t in many])
    holders = carried_forward(tl, Categorical.from_strings([n for t in named for n in t]))
    clock = held_clock(rules.clock(), tl.states)
    got = run_clock(
        held_timelines(tl, holders, "network"),
        clock,
        Calendar(pair.spec),
        np.array([budget]),
        epoch(now),
    )
    for i, ticket in enumerate(many):
        held, last = [], None
        for team in named[i]:
            last = team or last
            held.append(last == "network")
        want = ref_clock(pair.ref, ticket, budget=budget, now=now, held=held, **rules.sets())
        assert Status(got.status[i]).label == want.status
        assert (got.used[i], got.paused[i]) == (want.used, want.paused)
        want_breach = NONE if want.breached_at is None else epoch(want.breached_at)
        assert got.breached_at[i] == want_breach
        if want.status in ("running", "breached"):
            assert want.deadline is not None
            assert got.deadline[i] == epoch(want.deadline)
