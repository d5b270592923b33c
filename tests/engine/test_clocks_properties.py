"""Clocks over random tickets agree with a person-style stepping reference."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from servicelevel.engine.business_time import Calendar
from servicelevel.engine.clocks import NONE, ClockDefinition, Status, run_clock
from servicelevel.engine.timelines import from_rows
from tests.engine.reference import ref_clock
from tests.engine.strategies import CalendarPair, calendars, has_work, instants

pytestmark = pytest.mark.usefixtures("kernel")  # every case through both kernels

UTC = dt.UTC
STATES = ["new", "active", "awaiting customer", "awaiting vendor", "resolved", "closed", "void"]
NAMES = [None, None, None, "created", "assigned", "responded", "reopened"]


@st.composite
def tickets(draw: st.DrawFn) -> list[tuple[dt.datetime, str, str | None]]:
    t = draw(instants())
    out = []
    for _ in range(draw(st.integers(1, 8))):
        out.append((t, draw(st.sampled_from(STATES)), draw(st.sampled_from(NAMES))))
        t = t + dt.timedelta(seconds=draw(st.integers(0, 3 * 86_400)))
    return out


@dataclass(frozen=True)
class Rules:
    start_events: frozenset[str]
    start_states: frozenset[str]
    pause_states: frozenset[str]
    stop_states: frozenset[str]
    stop_events: frozenset[str]
    cancel_states: frozenset[str]
    reopen: str

    def clock(self) -> ClockDefinition:
        return ClockDefinition(**asdict(self))

    def sets(self) -> dict[str, Any]:
        return {k: set(v) if isinstance(v, frozenset) else v for k, v in asdict(self).items()}


def subset(xs: list[str]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(xs))


clocks = st.builds(
    Rules,
    start_events=st.one_of(st.just(frozenset()), subset(["created", "assigned"])),
    start_states=st.one_of(st.just(frozenset()), subset(["active"])),
    pause_states=subset(["awaiting customer", "awaiting vendor"]),
    stop_states=subset(["resolved", "closed"]),
    stop_events=subset(["responded"]),
    cancel_states=subset(["void"]),
    reopen=st.sampled_from(["continue", "restart"]),
)


def epoch(t: dt.datetime) -> int:
    return int(t.timestamp())


@settings(max_examples=300, deadline=None)
@given(
    calendars(),
    st.lists(tickets(), min_size=1, max_size=6),
    clocks,
    st.integers(0, 3 * 86_400),
    st.integers(0, 6 * 86_400),
)
def test_clock_matches_reference(
    pair: CalendarPair,
    many: list[list[tuple[dt.datetime, str, str | None]]],
    rules: Rules,
    budget: int,
    after: int,
) -> None:
    assume(rules.stop_states or rules.stop_events)
    assume(has_work(pair, budget))
    now = max(e[0] for t in many for e in t) + dt.timedelta(seconds=after)
    tl = from_rows([[(epoch(a), s, n) for a, s, n in t] for t in many])
    got = run_clock(tl, rules.clock(), Calendar(pair.spec), np.array([budget]), epoch(now))
    for i, ticket in enumerate(many):
        want = ref_clock(pair.ref, ticket, budget=budget, now=now, **rules.sets())
        assert Status(got.status[i]).label == want.status
        assert got.used[i] == want.used
        assert got.paused[i] == want.paused
        want_breach = NONE if want.breached_at is None else epoch(want.breached_at)
        assert got.breached_at[i] == want_breach
        if want.status in ("running", "breached"):
            assert want.deadline is not None
            assert got.deadline[i] == epoch(want.deadline)


@settings(max_examples=150, deadline=None)
@given(
    calendars(),
    st.lists(tickets(), min_size=1, max_size=6),
    clocks,
    st.integers(0, 3 * 86_400),
    st.integers(0, 6 * 86_400),
)
def test_a_warning_is_crossed_where_a_clock_with_that_budget_is_due(
    pair: CalendarPair,
    many: list[list[tuple[dt.datetime, str, str | None]]],
    rules: Rules,
    budget: int,
    after: int,
) -> None:
    assume(rules.stop_states or rules.stop_events)
    assume(has_work(pair, budget))
    now = epoch(max(e[0] for t in many for e in t)) + after
    tl = from_rows([[(epoch(a), s, n) for a, s, n in t] for t in many])
    calendar = Calendar(pair.spec)
    fractions = (0.5, 0.75, 0.9)
    got = run_clock(tl, rules.clock(), calendar, np.array([budget]), now, fractions)
    for j, fraction in enumerate(fractions):
        alone = run_clock(tl, rules.clock(), calendar, np.array([int(budget * fraction)]), now)
        assert got.crossed[:, j].tolist() == (alone.breached_at != NONE).tolist()
        for i in range(len(many)):
            if got.crossed[i, j]:
                assert got.crossing_at[i, j] == alone.breached_at[i]
            elif Status(got.status[i]) is Status.RUNNING:
                assert got.crossing_at[i, j] == alone.deadline[i]
            else:
                assert got.crossing_at[i, j] == NONE
