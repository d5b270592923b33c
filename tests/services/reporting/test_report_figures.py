"""The figures model's breach columns: instants written at once exactly as one at a time."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from servicelevel.definitions.instants import format_instant
from servicelevel.services.reporting.breach_tables import BreachTable, iso_instants

DST_2026 = 1_774_746_000  # 2026-03-29 01:00 UTC: Europe's clocks go forward


@pytest.mark.parametrize(
    "zone", ["Europe/Berlin", "America/New_York", "Asia/Shanghai", "Asia/Kolkata", "UTC"]
)
def test_instants_written_at_once_equal_those_written_one_by_one(zone: str) -> None:
    around = DST_2026 + np.arange(-7200, 7200, 599, dtype=np.int64)
    spread = np.random.default_rng(7).integers(1_600_000_000, 1_800_000_000, 500)
    old = np.array([-2_208_988_800], dtype=np.int64)  # 1900: local mean time, offset in seconds
    at = np.concatenate([around, spread, old]).astype(np.int64)
    tz = ZoneInfo(zone)
    assert iso_instants(at, tz) == [format_instant(int(t), tz) for t in at.tolist()]


def test_no_instants_write_nothing() -> None:
    assert iso_instants(np.zeros(0, dtype=np.int64), ZoneInfo("UTC")) == []


def test_the_page_gets_the_first_breaches_and_every_excluded_one() -> None:
    flags = [False, True, False, False, True]
    columns: dict[str, list[Any]] = {"target": ["t"] * 5, "excluded": flags}
    table = BreachTable(columns)
    assert table.shown(2) == [0, 1, 4]
    assert table.shown(0) == [1, 4]
    assert len(table) == 5
