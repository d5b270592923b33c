"""The benchmark's agreement: two targets (response, resolution) on each of three calendars."""

from __future__ import annotations

from servicelevel.definitions.holiday_data import CountryHolidays
from servicelevel.engine.agreements import Agreement
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import CalendarSpec, Shift, always_open
from servicelevel.engine.clocks import ClockDefinition
from servicelevel.engine.durations import Duration
from servicelevel.engine.targets import Selector, Target

H = 3600


def calendars() -> dict[str, Calendar]:
    split = (Shift(9 * H, 12 * H), Shift(13 * H + 1800, 18 * H))
    office = (Shift(8 * H, 17 * H),)
    return {
        "utc": Calendar(always_open("UTC")),
        "cn": Calendar(
            CalendarSpec(
                "Asia/Shanghai",
                (split,) * 5 + ((), ()),
                name="cn",
                holidays=CountryHolidays("CN"),
            )
        ),
        "us": Calendar(
            CalendarSpec(
                "America/New_York",
                (office,) * 5 + ((), ()),
                name="us",
                holidays=CountryHolidays("US"),
            )
        ),
    }


def agreement() -> Agreement:
    clocks = {
        "response": ClockDefinition(stop_events=frozenset({"responded"})),
        "resolution": ClockDefinition(
            pause_states=frozenset({"Awaiting Customer"}), stop_states=frozenset({"Resolved"})
        ),
    }
    targets = []
    for region in ("utc", "cn", "us"):
        when = Selector({"region": frozenset({region})})
        targets.append(
            Target(
                f"{region}-response",
                "response",
                Duration(30 * 60),
                region,
                when,
                0.95,
                (0.5, 0.75, 0.9),
            )
        )
        targets.append(
            Target(
                f"{region}-resolution",
                "resolution",
                Duration(8 * H),
                region,
                when,
                0.95,
                (0.5, 0.75, 0.9),
            )
        )
    return Agreement(
        id="BENCH",
        kind="SLA",
        title="benchmark",
        provider="p",
        counterparty="c",
        timezone="UTC",
        calendars=calendars(),
        clocks=clocks,
        targets=tuple(targets),
    )
