"""An agreement as data: what the engine needs to evaluate an SLA, OLA or UC.

The persistent, versioned, negotiated agreement lives in the database (later layers); this is
the evaluable core that the YAML format (``docs/formats.md``) and the database both produce.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from servicelevel.engine.business_time import Calendar
from servicelevel.engine.clocks import ClockDefinition
from servicelevel.engine.credits import CreditClause
from servicelevel.engine.targets import Target

AGREEMENT_KINDS = ("SLA", "OLA", "UC")


@dataclass(frozen=True)
class AvailabilityTarget:
    """ "Service X is available 99.9 % of its service hours"."""

    id: str
    service: str
    calendar: str
    objective: float
    name: str = ""

    def __post_init__(self) -> None:
        if not 0 < self.objective <= 1:
            raise ValueError("an availability objective is a fraction in (0, 1]")


@dataclass(frozen=True)
class Fee:
    amount: float
    currency: str = ""
    months: float = 1.0  # the fee is per this many months


@dataclass(frozen=True)
class Agreement:
    id: str
    kind: str
    title: str
    provider: str
    counterparty: str  # the customer (SLA), internal team (OLA) or supplier (UC)
    timezone: str  # reporting periods are cut at midnight here
    calendars: Mapping[str, Calendar]
    clocks: Mapping[str, ClockDefinition]
    targets: tuple[Target, ...] = ()
    availability: tuple[AvailabilityTarget, ...] = ()
    credits: tuple[CreditClause, ...] = ()
    credit_cap: float | None = None
    fee: Fee | None = None
    services: tuple[str, ...] = ()
    start: dt.date | None = None
    end: dt.date | None = None
    extra: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in AGREEMENT_KINDS:
            raise ValueError(f"agreement kind must be one of {', '.join(AGREEMENT_KINDS)}")
        for t in self.targets:
            if t.clock not in self.clocks:
                raise ValueError(f"target {t.id!r} uses unknown clock {t.clock!r}")
            if t.calendar not in self.calendars:
                raise ValueError(f"target {t.id!r} uses unknown calendar {t.calendar!r}")
        for a in self.availability:
            if a.calendar not in self.calendars:
                raise ValueError(f"target {a.id!r} uses unknown calendar {a.calendar!r}")
        known = {t.id for t in self.targets} | {a.id for a in self.availability}
        for c in self.credits:
            if c.target not in known:
                raise ValueError(f"credit clause {c.id!r} reads unknown target {c.target!r}")
        ids = [t.id for t in self.targets] + [a.id for a in self.availability]
        if len(ids) != len(set(ids)):
            raise ValueError("target ids must be unique within an agreement")
