"""A clock that explains itself: for one ticket and each target measuring it, what the clock
did after every event (started, ran, paused, stopped, was cancelled) and why — the state,
event or field change of the target's clock definition that made it so — together with the
calendar closures during which a running clock did not count, and the agreement version the
ticket is measured under (the one in force when it started, even if a later one came into
force while it ran).

Each step's reason is a message template with its values (``why`` and ``params``) so that pages
can show it in the reader's language; ``cause`` is the same in English.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion, TicketEvent
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.clocks import ClockDefinition, Mode, run_clock
from servicelevel.engine.holding import carried_forward, held_clock, held_timelines
from servicelevel.engine.targets import Categorical
from servicelevel.engine.timelines import Timelines
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.for_engine import engine_agreement
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import stored_tickets, tickets

MODES = {m.value: m.name.lower() for m in Mode}
MAX_CLOSURES = 40  # per target: a ticket open for months crosses hundreds of nights
FIELDS = ("priority", "category", "service", "customer")
REASONS = (  # every reason a step can give (pages translate them)
    "cancel state {state}",
    "stop event {event}",
    "stop state {state}",
    "stopped earlier",
    "pause state {state}",
    "waiting for the start condition",
    "running",
    "not counted: {calendar} is closed",
    "counting again: {calendar} opens",
    "measured under version {number} of {agreement}, in force when the ticket started",
    "version {number} in force from here; this ticket stays under version {kept}",
)


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    state: str
    event: str
    mode: str  # pending, running, paused, stopped, cancelled; closed/open for the calendar
    why: str  # a message template, e.g. "pause state {state}"
    params: dict[str, Any] = field(default_factory=dict)
    changes: str = ""  # fields the event set, e.g. "priority → P1"

    @property
    def cause(self) -> str:
        return self.why.format(**self.params)


@dataclass(frozen=True)
class Explanation:
    agreement: str
    version: int
    target: str
    steps: list[Step]


def explain_ticket(
    session: Session, *, actor: Actor, ticket_id: int, now: dt.datetime
) -> list[Explanation]:
    """Every measured target of the ticket, replayed event by event."""
    ticket, events = tickets.get_ticket(session, actor=actor, ticket_id=ticket_id)
    single = stored_tickets.assemble(
        (
            [ticket.id],
            [ticket.external_id],
            [ticket.priority],
            [ticket.category],
            [ticket.service],
            [int(ticket.opened_at.timestamp())],
        ),
        (
            [ticket.id] * len(events),
            [int(e.at.timestamp()) for e in events],
            [e.state for e in events],
            [e.event for e in events],
        ),
    ).ticket_set()
    end = min(now, events[-1].at) if events else now
    out = []
    measured = {
        (m.agreement_id, m.target_key) for m in measurement_repo.of_ticket(session, ticket.id)
    }
    for found in agreement_repo.agreements_by_ids(session, {a for a, _ in measured}):
        if actor.scoped and found.counterparty_id not in actor.parties:
            continue
        version = agreements.version_at(found, ticket.opened_at)
        if version is None:
            continue
        engine = engine_agreement(session, found, version)
        versions = _version_steps(found, version, ticket.opened_at, end)
        for target in engine.targets:
            if (found.id, target.id) not in measured:
                continue
            clock = engine.clocks[target.clock]
            calendar = engine.calendars[target.calendar]
            timelines, measuring, away = _held(single.timelines, clock, events, target.held_by)
            result = run_clock(
                timelines,
                measuring,
                calendar,
                target.budget.seconds,
                int(now.timestamp()),
                explain=True,
            )
            modes = [] if result.modes is None else [int(m) for m in result.modes]
            steps = _event_steps(clock, events, modes, away, target.held_by)
            steps += _closures(calendar, target.calendar, events, modes, now)
            steps = sorted(versions + steps, key=lambda s: s.at)
            out.append(Explanation(found.code, version.number, target.id, steps))
    return out


def _held(
    timelines: Timelines, clock: ClockDefinition, events: list[TicketEvent], team: str
) -> tuple[Timelines, ClockDefinition, list[bool]]:
    """The timelines and clock a target held by ``team`` is measured with (as recomputation
    does, :mod:`servicelevel.engine.holding`), and per event whether another team held it."""
    if not team:
        return timelines, clock, [False] * len(events)
    named = [str((e.changes.get("attributes") or {}).get("team") or "") for e in events]
    holders = carried_forward(timelines, Categorical.from_strings(named))
    away = [holders.label(i).casefold() != team.casefold() for i in range(len(events))]
    measuring = held_clock(clock, timelines.states)
    return held_timelines(timelines, holders, team), measuring, away


def _event_steps(
    clock: ClockDefinition,
    events: list[TicketEvent],
    modes: list[int],
    away: list[bool],
    team: str,
) -> list[Step]:
    out = []
    for e, mode, elsewhere in zip(events, modes, away, strict=False):
        why, params = _cause(clock, e.state, e.event, mode)
        if elsewhere and mode == Mode.PAUSED and why == "running":
            why, params = "paused: counted only while {team} holds the ticket", {"team": team}
        changed = ", ".join(f"{k} → {e.changes[k]}" for k in FIELDS if e.changes.get(k))
        out.append(Step(e.at, e.state, e.event, MODES[mode], why, params, changed))
    return out


def _closures(
    calendar: Calendar,
    name: str,
    events: list[TicketEvent],
    modes: list[int],
    now: dt.datetime,
) -> list[Step]:
    """Where the clock ran but the calendar was closed: it did not count there."""
    out: list[Step] = []
    for i, (e, mode) in enumerate(zip(events, modes, strict=False)):
        if mode != Mode.RUNNING:
            continue
        stop = events[i + 1].at if i + 1 < len(events) else now
        for a, b in calendar.closed_spans(int(e.at.timestamp()), int(stop.timestamp())):
            if len(out) >= 2 * MAX_CLOSURES:
                return out
            start, end = (dt.datetime.fromtimestamp(x, dt.UTC) for x in (a, b))
            params = {"calendar": name}
            out.append(Step(start, "", "", "closed", "not counted: {calendar} is closed", params))
            if b < int(stop.timestamp()):
                out.append(Step(end, "", "", "running", "counting again: {calendar} opens", params))
    return out


def _version_steps(
    agreement: Agreement, version: AgreementVersion, opened: dt.datetime, end: dt.datetime
) -> list[Step]:
    """The version applied, and any later version that came into force while it was open."""
    first = Step(
        opened,
        "",
        "",
        "version",
        "measured under version {number} of {agreement}, in force when the ticket started",
        {"number": version.number, "agreement": agreement.code},
    )
    later = [
        Step(
            v.in_force_from,
            "",
            "",
            "version",
            "version {number} in force from here; this ticket stays under version {kept}",
            {"number": v.number, "kept": version.number},
        )
        for v in agreement.versions
        if v.in_force_from is not None and opened < v.in_force_from <= end
    ]
    return [first, *later]


def _cause(clock: ClockDefinition, state: str, event: str, mode: int) -> tuple[str, dict[str, str]]:
    """Which part of the clock definition decided the mode after this event."""
    folded = state.casefold()

    def has(names: frozenset[str]) -> bool:
        return folded in {n.casefold() for n in names}

    if mode == Mode.CANCELLED and has(clock.cancel_states):
        return "cancel state {state}", {"state": state}
    if mode == Mode.STOPPED:
        if event and event.casefold() in {n.casefold() for n in clock.stop_events}:
            return "stop event {event}", {"event": event}
        if has(clock.stop_states):
            return "stop state {state}", {"state": state}
        return "stopped earlier", {}
    if mode == Mode.PAUSED and has(clock.pause_states):
        return "pause state {state}", {"state": state}
    if mode == Mode.PENDING:
        return "waiting for the start condition", {}
    return "running", {}
