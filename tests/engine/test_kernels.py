"""The clock kernel is chosen by the work's size, and both kernels measure alike."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from servicelevel.engine import kernels
from servicelevel.engine.evaluation import measure
from tests.engine.test_evaluation import NOW, office_agreement, random_tickets


def test_a_new_process_measures_small_work_interpreted_without_importing_numba() -> None:
    code = (
        "import sys\n"
        "from servicelevel.engine.business_time import Calendar\n"
        "from servicelevel.engine.calendars import always_open\n"
        "from servicelevel.engine.clocks import ClockDefinition, run_clock\n"
        "from servicelevel.engine.timelines import from_rows\n"
        "tl = from_rows([[(0, 'new', None), (600, 'resolved', None)]])\n"
        "clock = ClockDefinition(stop_states=frozenset({'resolved'}))\n"
        "m = run_clock(tl, clock, Calendar(always_open()), 3600, 7200)\n"
        "print(int(m.used[0]), 'numba' in sys.modules,"
        " 'servicelevel.engine.clock_kernel_interpreted' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["600", "False", "True"]


def test_large_work_runs_compiled_and_so_does_small_work_once_the_compiled_kernel_is_loaded() -> (
    None
):
    big = kernels.choose(kernels.INTERPRETED_UP_TO + 1)
    assert big is kernels.compiled()
    assert big.COMPILING
    assert kernels.choose(1) is big  # loaded now: it is the faster one from here on


def test_the_interpreted_kernel_is_the_same_source_not_compiled() -> None:
    twin = kernels.interpreted()
    assert not twin.COMPILING
    assert twin.__file__ == kernels.compiled().__file__
    assert kernels.interpreted() is twin  # loaded once


def test_a_forced_kernel_is_used_whatever_the_size_and_an_unknown_one_is_refused() -> None:
    with kernels.using("interpreted"):
        assert kernels.choose(10**9) is kernels.interpreted()
    with kernels.using("compiled"):
        assert kernels.choose(1) is kernels.compiled()
    with pytest.raises(ValueError, match="no clock kernel 'fast'"), kernels.using("fast"):
        pass


def test_both_kernels_measure_two_thousand_tickets_alike_field_by_field() -> None:
    tickets, deal = random_tickets(2_000, seed=11), office_agreement()
    with kernels.using("compiled"):
        compiled = measure(deal, tickets, NOW, workers=2)
    with kernels.using("interpreted"):
        interpreted = measure(deal, tickets, NOW, workers=2)
    fields = ("status", "used", "paused", "started_at", "stopped_at", "deadline", "breached_at")
    for target, (rows, m) in compiled.items():
        other_rows, other = interpreted[target]
        assert np.array_equal(rows, other_rows)
        for name in (*fields, "crossed", "crossing_at"):
            assert np.array_equal(getattr(m, name), getattr(other, name)), (target, name)
