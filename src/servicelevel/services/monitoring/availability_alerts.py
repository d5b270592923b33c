"""Availability breaches and error-budget burn-rate alerts for availability targets.

Checked every few minutes by the worker, per agreement in force (not per ticket), for the
calendar month containing now in the agreement's time zone — the period availability targets
are reported on:

* **breach**: the downtime so far already exceeds the month's error budget, so the objective
  can no longer be met; recorded as a breach of the period (once) and told at once.
* **fast burn**: over the last hour the budget burns at least 14.4 times the sustainable rate
  (2 % of a 30-day budget in an hour) — urgent;
* **slow burn**: over the last six hours at least 6 times (5 % in six hours) — not urgent.

A burn alert is told at most once per target, window and day. The thresholds are the
multi-window pair Google's SRE workbook recommends for a 30-day objective.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.agreements import AvailabilityTarget
from servicelevel.engine.availability import availability, burn_rate
from servicelevel.engine.periods import Period, parse_period
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.for_engine import engine_agreement
from servicelevel.services.monitoring import breaches, outages
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.shared.errors import Invalid


@dataclass(frozen=True)
class Window:
    name: str
    seconds: int
    limit: float
    urgent: bool


WINDOWS = (Window("fast", 3600, 14.4, True), Window("slow", 6 * 3600, 6.0, False))


def check(session: Session, *, now: dt.datetime) -> dict[str, int]:
    """Look at every availability target in force; returns how many alerts were raised."""
    counts = {"breaches": 0, "burn_alerts": 0}
    for agreement in agreement_repo.agreements_in_force(session):
        version = agreements.version_at(agreement, now)
        if version is None:
            continue
        try:
            engine = engine_agreement(session, agreement, version)
        except Invalid:
            continue  # an agreement the engine cannot read is reported on its own page
        for target in engine.availability:
            found = _check_target(session, agreement, version.number, engine, target, now)
            counts["breaches"] += found[0]
            counts["burn_alerts"] += found[1]
    return counts


def _month(now: dt.datetime, timezone: str) -> Period:
    local = now.astimezone(ZoneInfo(timezone))
    return parse_period(f"{local.year}-{local.month:02d}", timezone)


def _check_target(
    session: Session,
    agreement: Agreement,
    number: int,
    engine: EngineAgreement,
    target: AvailabilityTarget,
    now: dt.datetime,
) -> tuple[int, int]:
    period = _month(now, engine.timezone)
    moment = int(now.timestamp())
    longest = max(w.seconds for w in WINDOWS)
    spans = outages.spans_between(
        session, target.service, min(period.start, moment - longest), period.end
    )
    calendar = engine.calendars[target.calendar]
    figures = availability(
        spans, calendar, period.start, period.end, target.objective, as_of=moment
    )
    facts: dict[str, Any] = {
        "agreement": agreement.code,
        "agreement_name": agreement.title,
        "target": target.id,
        "service": target.service,
        "objective": target.objective,
        "achieved": figures.availability,
        "downtime_seconds": figures.downtime,
        "period_start": dt.datetime.fromtimestamp(period.start, dt.UTC).isoformat(),
        "period_end": dt.datetime.fromtimestamp(period.end, dt.UTC).isoformat(),
    }
    missed = 0
    if figures.budget_left is not None and figures.budget_left < 0:
        missed = _breach(session, agreement, number, target, period, figures, facts, now)
    burns = sum(
        _burn(session, agreement, target, spans, calendar, window, facts, now) for window in WINDOWS
    )
    return missed, burns


def _breach(
    session: Session,
    agreement: Agreement,
    number: int,
    target: AvailabilityTarget,
    period: Period,
    figures: Any,
    facts: dict[str, Any],
    now: dt.datetime,
) -> int:
    bounds = (
        dt.datetime.fromtimestamp(period.start, dt.UTC),
        dt.datetime.fromtimestamp(period.end, dt.UTC),
    )
    _, fresh = breaches.record_availability(
        session,
        agreement_id=agreement.id,
        version_number=number,
        target_key=target.id,
        period=bounds,
        achieved=float(figures.availability or 0.0),
        objective=target.objective,
        now=now,
    )
    if not fresh:
        return 0
    notifications.announce(
        session,
        agreement_id=agreement.id,
        kind="availability",
        key=f"availability:{target.id}:{period.label}",
        facts=facts,
        urgent=True,
        now=now,
    )
    return 1


def _burn(
    session: Session,
    agreement: Agreement,
    target: AvailabilityTarget,
    spans: Any,
    calendar: Any,
    window: Window,
    facts: dict[str, Any],
    now: dt.datetime,
) -> int:
    if target.objective >= 1:
        return 0
    rate = burn_rate(spans, calendar, int(now.timestamp()), window.seconds, target.objective)
    if rate is None or rate < window.limit:
        return 0
    notifications.announce(
        session,
        agreement_id=agreement.id,
        kind="burn_rate",
        key=f"burn:{target.id}:{window.name}:{now.date().isoformat()}",
        facts={**facts, "rate": round(rate, 1), "window_seconds": window.seconds},
        urgent=window.urgent,
        now=now,
    )
    return 1
