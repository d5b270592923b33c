"""Compliance figures, checked against a plain count over the same measurements."""

from __future__ import annotations

import numpy as np
import pytest

from servicelevel.engine.clocks import NONE, Measurements, Status
from servicelevel.engine.compliance import compliance, in_period

S = Status


def measurements(rows: list[tuple[Status, int, int, int, int]]) -> Measurements:
    """rows: status, used, started_at, stopped_at, breached_at (the deadline of a clock over its
    budget of 100; the others have none here)."""
    a = np.array([[int(r[0]), r[1], r[2], r[3], r[4]] for r in rows], dtype=np.int64)
    return Measurements(
        status=a[:, 0].astype(np.int8),
        budget=np.full(len(rows), 100, dtype=np.int64),
        used=a[:, 1].astype(np.int32),
        paused=np.zeros(len(rows), dtype=np.int32),
        started_at=a[:, 2],
        stopped_at=a[:, 3],
        deadline=a[:, 4],
    )


M = measurements(
    [
        (S.MET, 10, 0, 50, NONE),
        (S.MET, 20, 0, 150, NONE),  # stopped after the period
        (S.BREACHED, 120, 0, 90, 40),
        (S.BREACHED, 130, 0, NONE, 60),  # still open, breached in the period
        (S.BREACHED, 200, 0, NONE, 120),  # breached after the period
        (S.RUNNING, 30, 70, NONE, NONE),
        (S.PAUSED, 30, 200, NONE, NONE),  # started after the period
        (S.CANCELLED, 0, 10, NONE, NONE),
        (S.MET, 40, 0, 99, NONE),
        (S.MET, 70, 0, 10, NONE),
    ]
)


def test_measurements_belong_to_the_period_of_their_stop_breach_or_start() -> None:
    assert in_period(M, 0, 100).tolist() == [
        True,
        False,
        True,
        True,
        False,
        True,
        False,
        True,
        True,
        True,
    ]


def test_counts_percentage_and_objective() -> None:
    c = compliance(M, in_period(M, 0, 100), objective=0.75)
    assert (c.met, c.breached, c.open, c.cancelled) == (3, 2, 1, 1)
    assert c.within == pytest.approx(3 / 5)
    assert c.objective_met is False
    assert compliance(M, in_period(M, 0, 100), objective=0.6).objective_met is True


def test_percentiles_are_nearest_rank_over_decided_and_stopped_tickets() -> None:
    c = compliance(M, in_period(M, 0, 100), objective=None, percentiles=(50.0, 90.0, 100.0))
    # decided and stopped in the period: used 10, 120, 40, 70 (the open breach has no final time)
    assert c.percentiles == {50.0: 40, 90.0: 120, 100.0: 120}
    assert c.mean_used == pytest.approx(60)


def test_an_empty_period_decides_nothing() -> None:
    c = compliance(M, in_period(M, 1000, 2000), objective=0.9)
    assert (c.within, c.objective_met, c.percentiles) == (None, None, {})


def test_an_excluded_breach_counts_as_met_and_is_counted_as_excluded() -> None:
    waived = np.zeros(len(M), dtype=bool)
    waived[[2, 3, 0]] = True  # two breaches (one closed, one still open) and a met ticket
    mask = in_period(M, 0, 100)
    c = compliance(M, mask, 0.75, percentiles=(100.0,), excluded=waived)
    assert (c.met, c.breached, c.excluded) == (5, 0, 2)
    assert c.within == pytest.approx(1.0)
    assert c.objective_met is True
    # the open breach has no final time yet: percentiles still use 10, 120, 40, 70
    assert c.percentiles[100.0] == 120
    assert c.mean_used == pytest.approx(60)
