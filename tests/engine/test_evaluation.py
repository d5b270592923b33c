"""Evaluating an agreement: threads change nothing, far deadlines compile further ahead, and the
compiled kernel is imported only when clocks run."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from servicelevel.engine.agreements import Agreement
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import CalendarSpec, Shift, always_open
from servicelevel.engine.clocks import NONE, ClockDefinition, Status, run_clock
from servicelevel.engine.compliance import compliance, in_period
from servicelevel.engine.durations import Duration
from servicelevel.engine.evaluation import assemble, measure
from servicelevel.engine.periods import year
from servicelevel.engine.targets import Categorical, Selector, Target, TicketSet
from servicelevel.engine.timelines import Timelines, from_rows

H = 3600
START = 1_735_689_600  # 2025-01-01T00:00Z
NOW = START + 400 * 86_400


def random_tickets(n: int, seed: int = 3) -> TicketSet:
    """Created → responded → resolved, with a pause in one ticket of three, over 2025."""
    rng = np.random.default_rng(seed)
    paused = rng.integers(0, 3, n) == 0
    counts = np.where(paused, 5, 3)
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    ticket = np.repeat(np.arange(n), counts)
    place = np.arange(offsets[-1]) - offsets[ticket]
    last = place == counts[ticket] - 1
    state = np.where(place == 0, 0, np.where(place % 2 == 1, 1, 2)).astype(np.int32)
    state[last] = 3
    event = np.full(place.size, -1, dtype=np.int32)
    event[place == 1] = 0
    gaps = rng.exponential(4 * H, place.size).astype(np.int64)
    gaps[place == 0] = START + rng.integers(0, 365 * 86_400, n)
    at = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[offsets[:-1]] - gaps[offsets[:-1]], counts)
    tl = Timelines(
        offsets, at, state, event, ("new", "active", "waiting", "resolved"), ("responded",)
    )
    kind = Categorical(rng.integers(0, 2, n).astype(np.int32), ("a", "b"))
    return TicketSet(np.arange(n).astype(str), tl, {"kind": kind})


def office_agreement() -> Agreement:
    office = Calendar(CalendarSpec("Europe/Berlin", ((Shift(9 * H, 17 * H),),) * 5 + ((), ())))
    clocks = {
        "response": ClockDefinition(stop_events=frozenset({"responded"})),
        "resolution": ClockDefinition(
            pause_states=frozenset({"waiting"}), stop_states=frozenset({"resolved"})
        ),
    }
    targets = tuple(
        Target(
            f"{kind}-{clock}",
            clock,
            Duration(budget),
            "office",
            Selector({"kind": frozenset({kind})}),
            0.9,
            (0.5, 0.8),
        )
        for kind in ("a", "b")
        for clock, budget in (("response", H), ("resolution", 8 * H))
    )
    return Agreement(
        id="A",
        kind="SLA",
        title="t",
        provider="p",
        counterparty="c",
        timezone="UTC",
        calendars={"office": office},
        clocks=clocks,
        targets=targets,
    )


def test_threads_give_the_figures_of_one_thread() -> None:
    tickets, deal = random_tickets(120_000), office_agreement()
    one = measure(deal, tickets, NOW, workers=1)
    two = measure(deal, tickets, NOW, workers=2)
    period = year(2025, "UTC")
    result = assemble(deal, np.asarray(tickets.ids), period, NOW, two)
    for r in result.targets:
        idx, m = one[r.target.id]
        assert np.array_equal(idx, r.tickets)
        for name in ("status", "used", "paused", "deadline", "breached_at", "crossing_at"):
            assert np.array_equal(getattr(m, name), getattr(r.measurements, name)), name
        mask = in_period(m, period.start, period.end)
        assert r.compliance == compliance(m, mask, r.target.objective)
        assert r.compliance.decided > 0
        assert r.compliance.percentiles


def test_a_deadline_beyond_the_compiled_calendar_compiles_further_ahead() -> None:
    calendar = Calendar(always_open())
    tl = from_rows([[(START, "new", None)]])
    budget = 12 * 365 * 86_400  # far past the years the ticket's instants compile
    m = run_clock(tl, ClockDefinition(stop_states=frozenset({"resolved"})), calendar, budget, NOW)
    assert Status(m.status[0]) is Status.RUNNING
    assert m.deadline[0] == START + budget
    assert m.breached_at[0] == NONE


def test_importing_the_engine_does_not_import_numba() -> None:
    code = (
        "import sys, servicelevel.engine.evaluation, servicelevel.engine.clocks;"
        "assert 'numba' not in sys.modules, 'numba imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
