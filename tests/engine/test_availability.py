"""Availability within service hours, checked by hand and against the GitHub status history."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import numpy as np
import pytest

from servicelevel.engine.availability import Outages, availability, burn_rate
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import CalendarSpec, Shift, always_open
from servicelevel.engine.intervals import union

H = 3600
DATA = Path(__file__).resolve().parents[3] / "shared" / "data"


def t(text: str) -> int:
    return int(dt.datetime.fromisoformat(text).timestamp())


def office() -> Calendar:
    day = (Shift(9 * H, 18 * H),)
    return Calendar(CalendarSpec("UTC", (day,) * 5 + ((), ())))


def test_overlapping_outages_count_once_and_only_in_service_hours() -> None:
    outages = Outages.of(
        [
            (t("2025-03-03T10:00Z"), t("2025-03-03T12:00Z"), False),
            (t("2025-03-03T11:00Z"), t("2025-03-03T13:00Z"), False),  # overlaps the first
            (t("2025-03-03T20:00Z"), t("2025-03-03T23:00Z"), False),  # after hours: free
            (t("2025-03-04T09:00Z"), t("2025-03-04T10:00Z"), True),  # planned maintenance
        ]
    )
    a = availability(
        outages, office(), t("2025-03-03T00:00Z"), t("2025-03-08T00:00Z"), objective=0.99
    )
    assert a.agreed == 5 * 9 * H - H  # the maintenance hour is not agreed service time
    assert a.downtime == 3 * H
    assert a.outages == 1
    assert a.availability == pytest.approx(1 - 3 / 44)
    assert a.mttr == 3 * H
    assert a.mtbf == 41 * H
    assert a.error_budget == pytest.approx(0.01 * 44 * H)
    assert a.budget_left == pytest.approx(0.44 * H - 3 * H)
    assert a.burn_rate == pytest.approx((3 / 44) / 0.01)
    assert a.objective_met is False


def test_maintenance_windows_cut_outages_they_overlap() -> None:
    outages = Outages.of([(t("2025-03-03T09:00Z"), t("2025-03-03T12:00Z"), False)])
    maintenance = Outages.of([(t("2025-03-03T10:00Z"), t("2025-03-03T11:00Z"), True)])
    a = availability(
        outages, office(), t("2025-03-03T00:00Z"), t("2025-03-04T00:00Z"), maintenance=maintenance
    )
    assert (a.agreed, a.downtime, a.outages) == (8 * H, 2 * H, 1)


def test_as_of_counts_only_the_elapsed_part_of_the_period() -> None:
    a = availability(
        Outages.of([]),
        office(),
        t("2025-03-03T00:00Z"),
        t("2025-03-08T00:00Z"),
        0.999,
        as_of=t("2025-03-04T00:00Z"),
    )
    assert a.agreed == 9 * H
    assert a.error_budget == pytest.approx(0.001 * 45 * H)
    assert a.availability == 1.0


def test_burn_rate_over_a_window() -> None:
    outages = Outages.of([(t("2025-03-03T10:00Z"), t("2025-03-03T10:06Z"), False)])
    rate = burn_rate(outages, Calendar(always_open()), t("2025-03-03T11:00Z"), H, 0.999)
    assert rate == pytest.approx((6 / 60) / 0.001)


def test_union_merges_touching_and_drops_empty_spans() -> None:
    s, e = union(np.array([5, 0, 10, 20]), np.array([10, 3, 12, 20]))
    assert s.tolist() == [0, 5]
    assert e.tolist() == [3, 12]


def _github_windows() -> list[dict[str, str]]:
    path = DATA / "github_status_downtime_windows.csv.gz"
    if not path.exists():
        pytest.skip("shared data not present")
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _utc(text: str) -> int:
    return int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


@pytest.mark.parametrize("year", [2023, 2024, 2025])
def test_github_status_history_matches_a_minute_by_minute_count(year: int) -> None:
    rows = _github_windows()
    start, end = _utc(f"{year}-01-01T00:00:00Z"), _utc(f"{year + 1}-01-01T00:00:00Z")
    outages = Outages.of(
        [
            (_utc(r["downtime_start"]), _utc(r["downtime_end"]), r["impact"] == "maintenance")
            for r in rows
        ]
    )
    got = availability(outages, Calendar(always_open()), start, end, objective=0.999)
    # independent count: mark every minute of the year covered by a non-maintenance window
    minutes = np.zeros((end - start) // 60, dtype=bool)
    planned = np.zeros_like(minutes)
    for r in rows:
        a = max(_utc(r["downtime_start"]), start)
        b = min(_utc(r["downtime_end"]), end)
        if b > a:
            target = planned if r["impact"] == "maintenance" else minutes
            target[(a - start) // 60 : (b - start) // 60] = True
    down = minutes & ~planned
    assert got.downtime == int(down.sum()) * 60
    assert got.agreed == int((~planned).sum()) * 60
