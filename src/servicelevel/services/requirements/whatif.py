"""What-if (SLM2 evidence for negotiation): the compliance a requested target would have had
over a past period, measured on the tickets already in the system.

Tickets are those of the service (and customer, when given) opened in the period or up to 90
days before it, measured on the service's hours (its catalog calendar; 24×7 if it has none) by
the clock the customer's SLA uses for the metric — or, without one, the standard clock below —
and counted in the period they were decided in, as in service reports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.definitions.agreements import ClockModel
from servicelevel.engine.agreements import Agreement
from servicelevel.engine.availability import Availability
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import always_open
from servicelevel.engine.clocks import ClockDefinition
from servicelevel.engine.compliance import Compliance
from servicelevel.engine.evaluation import evaluate
from servicelevel.engine.periods import Period, PeriodError, parse_period
from servicelevel.engine.targets import Selector, Target, TicketSet
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.calendars.service_hours import business_calendar
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.monitoring import outages, stored_tickets
from servicelevel.services.shared.errors import Invalid
from servicelevel.services.shared.validation import duration

LOOKBACK = dt.timedelta(days=90)
STANDARD_CLOCKS = {
    "response": ClockDefinition(
        stop_events=frozenset({"responded"}),
        stop_states=frozenset({"Resolved", "Closed"}),
        cancel_states=frozenset({"Cancelled"}),
    ),
    "resolution": ClockDefinition(
        pause_states=frozenset({"Awaiting Customer", "Awaiting Supplier", "Pending"}),
        stop_states=frozenset({"Resolved", "Closed"}),
        cancel_states=frozenset({"Cancelled"}),
    ),
}


@dataclass(frozen=True)
class WhatIf:
    service: str
    period: Period
    metric: str
    priority: str
    within: str
    objective: float
    clock_from: str = ""  # "standard" or the SLA whose clock was used
    tickets: int = 0  # tickets of the service loaded
    compliance: Compliance | None = None  # response and resolution
    availability: Availability | None = None  # availability


def what_if(
    session: Session,
    *,
    actor: Actor,
    service_id: int,
    metric: str,
    objective: float,
    period: str,
    priority: str = "",
    within: str = "",
    customer_id: int | None = None,
    now: dt.datetime | None = None,
) -> WhatIf:
    require(actor, "requirement.read")
    require(actor, "ticket.read")
    service = catalog.get_service(session, actor=actor, service_id=service_id)
    if actor.scoped:  # a representative sees their own customer's tickets only
        customer_id = (
            next(iter(actor.parties), 0) if customer_id not in actor.parties else customer_id
        )
    if not 0 < objective <= 1:
        raise Invalid("an objective is a fraction above 0 and at most 1", "objective")
    calendar = _calendar(session, service.calendar_id)
    try:
        chosen = parse_period(period, calendar.spec.timezone)
    except PeriodError:
        raise Invalid("cannot read period {text}", "period", text=period) from None
    as_of = int((now or dt.datetime.now(dt.UTC)).timestamp())
    base = WhatIf(service.code, chosen, metric, priority, within, objective)
    if metric == "availability":
        found = outages.availability_of(session, service.code, calendar, chosen, objective, as_of)
        return replace(base, availability=found)
    if metric not in STANDARD_CLOCKS:
        raise Invalid("metric must be one of response, resolution, availability", "metric")
    budget = duration(within, "within")
    clock, source = _clock(session, service_id, customer_id, metric)
    tickets = _tickets(session, service.code, customer_id, chosen)
    selector = Selector({"priority": frozenset({priority})} if priority else {})
    target = Target("what-if", metric, budget, "hours", selector, objective)
    agreement = Agreement(
        id="what-if",
        kind="SLA",
        title="what-if",
        provider="",
        counterparty="",
        timezone=calendar.spec.timezone,
        calendars={"hours": calendar},
        clocks={metric: clock},
        targets=(target,),
    )
    result = evaluate(agreement, tickets, chosen, as_of)
    compliance = result.targets[0].compliance
    return replace(base, clock_from=source, tickets=len(tickets), compliance=compliance)


def _calendar(session: Session, calendar_id: int | None) -> Calendar:
    record = calendar_repo.calendar_by_id(session, calendar_id) if calendar_id else None
    return business_calendar(record) if record is not None else Calendar(always_open())


def _clock(
    session: Session, service_id: int, customer_id: int | None, metric: str
) -> tuple[ClockDefinition, str]:
    """The clock the customer's SLA for the service uses for ``metric``, else the standard."""
    if customer_id is not None:
        page = agreement_repo.list_agreements(
            session,
            kind="SLA",
            status=None,
            counterparty_id=customer_id,
            service_id=service_id,
            search=None,
            only=None,
            offset=0,
            limit=5,
        )
        for found in agreement_repo.agreements_by_ids(session, [a.id for a in page.items]):
            clocks: dict[str, Any] = agreements.current(found).clocks
            if metric in clocks:
                return ClockModel.model_validate(clocks[metric]).to_engine(), found.code
    return STANDARD_CLOCKS[metric], "standard"


def _tickets(session: Session, service: str, customer_id: int | None, period: Period) -> TicketSet:
    start = dt.datetime.fromtimestamp(period.start, dt.UTC) - LOOKBACK
    end = dt.datetime.fromtimestamp(period.end, dt.UTC)
    return stored_tickets.load(session, [service], customer_id, start, end).ticket_set()
