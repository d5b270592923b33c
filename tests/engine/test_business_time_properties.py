"""The engine's business-time arithmetic agrees with the day-stepping reference."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from servicelevel.engine.business_time import Calendar
from tests.engine.reference import (
    ref_business_days,
    ref_deadline,
    ref_elapsed,
    ref_is_working,
    ref_next_opening,
)
from tests.engine.strategies import (
    CalendarPair,
    calendars,
    has_work,
    instants,
    near_dst,
    night_calendars,
)

UTC = dt.UTC


def epoch(t: dt.datetime) -> int:
    return int(t.timestamp())


def as_dt(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(seconds), UTC)


spans = st.integers(-5 * 86_400, 40 * 86_400)


@settings(max_examples=300, deadline=None)
@given(calendars(), instants(), spans)
def test_elapsed_matches_reference(pair: CalendarPair, a: dt.datetime, span: int) -> None:
    b = a + dt.timedelta(seconds=span)
    got = Calendar(pair.spec).elapsed([epoch(a)], [epoch(b)])[0]
    assert got == ref_elapsed(pair.ref, a, b)


@settings(max_examples=300, deadline=None)
@given(calendars(), instants(), st.integers(0, 20 * 86_400))
def test_deadline_matches_reference(pair: CalendarPair, start: dt.datetime, budget: int) -> None:
    assume(has_work(pair, budget))
    got = Calendar(pair.spec).deadline([epoch(start)], [budget])[0]
    assert as_dt(got) == ref_deadline(pair.ref, start, budget)


@settings(max_examples=200, deadline=None)
@given(calendars(), instants(), st.integers(0, 10 * 86_400))
def test_deadline_uses_exactly_the_budget(
    pair: CalendarPair, start: dt.datetime, budget: int
) -> None:
    assume(has_work(pair, budget))
    cal = Calendar(pair.spec)
    due = cal.deadline([epoch(start)], [budget])
    assert cal.elapsed([epoch(start)], due)[0] == budget
    # one second later either no more work has been done (closed) or the budget is exceeded
    later = cal.elapsed([epoch(start)], due + 1)[0]
    assert later == budget + 1


@settings(max_examples=200, deadline=None)
@given(calendars(), st.lists(instants(), min_size=1, max_size=20))
def test_is_working_and_next_opening_match_reference(
    pair: CalendarPair, moments: list[dt.datetime]
) -> None:
    assume(has_work(pair))
    cal = Calendar(pair.spec)
    epochs = np.array([epoch(t) for t in moments])
    working = cal.is_working(epochs)
    opening = cal.next_opening(epochs)
    for t, w, o in zip(moments, working, opening, strict=True):
        assert bool(w) == ref_is_working(pair.ref, t)
        assert as_dt(o) == ref_next_opening(pair.ref, t)


@settings(max_examples=100, deadline=None)
@given(calendars(), st.lists(instants(), min_size=3, max_size=30))
def test_elapsed_is_additive_over_any_split(pair: CalendarPair, moments: list[dt.datetime]) -> None:
    cal = Calendar(pair.spec)
    e = np.sort(np.array([epoch(t) for t in moments]))
    pieces = cal.elapsed(e[:-1], e[1:]).sum()
    assert pieces == cal.elapsed(e[:1], e[-1:])[0]


@settings(max_examples=200, deadline=None)
@given(calendars(), instants(), st.integers(0, 20 * 86_400))
def test_closed_spans_are_exactly_the_time_not_counted(
    pair: CalendarPair, a: dt.datetime, span: int
) -> None:
    b = a + dt.timedelta(seconds=span)
    closed = Calendar(pair.spec).closed_spans(epoch(a), epoch(b))
    assert sum(e - s for s, e in closed) == span - ref_elapsed(pair.ref, a, b)
    for s, e in closed:  # every closed span is closed in the reference, and ordered
        assert s < e
        assert not ref_is_working(pair.ref, as_dt(s))
        assert not ref_is_working(pair.ref, as_dt(e - 1))
    assert all(x[1] < y[0] for x, y in itertools.pairwise(closed))


@settings(max_examples=200, deadline=None)
@given(calendars(), instants(), st.integers(0, 6))
def test_business_days_match_reference(pair: CalendarPair, start: dt.datetime, days: int) -> None:
    assume(has_work(pair))
    got = Calendar(pair.spec).deadline_business_days(np.array([epoch(start)]), days)[0]
    assert as_dt(got) == ref_business_days(pair.ref, start, days)


@settings(max_examples=300, deadline=None)
@given(night_calendars(), near_dst(), st.integers(0, 3 * 86_400))
def test_shifts_at_a_dst_change_match_reference(
    pair: CalendarPair, a: dt.datetime, span: int
) -> None:
    """Shifts that start or end in a skipped or repeated hour: elapsed time, deadlines and
    openings as the reference computes them wall time by wall time."""
    cal = Calendar(pair.spec)
    b = a + dt.timedelta(seconds=span)
    assert cal.elapsed([epoch(a)], [epoch(b)])[0] == ref_elapsed(pair.ref, a, b)
    budget = span // 8
    assume(has_work(pair, budget))
    assert as_dt(cal.deadline([epoch(a)], [budget])[0]) == ref_deadline(pair.ref, a, budget)
    assert as_dt(cal.next_opening([epoch(b)])[0]) == ref_next_opening(pair.ref, b)


@settings(max_examples=150, deadline=None)
@given(night_calendars(), near_dst(), st.integers(1, 3))
def test_business_days_at_a_dst_change_match_reference(
    pair: CalendarPair, start: dt.datetime, days: int
) -> None:
    got = Calendar(pair.spec).deadline_business_days(np.array([epoch(start)]), days)[0]
    assert as_dt(got) == ref_business_days(pair.ref, start, days)
