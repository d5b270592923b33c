"""A clock that explains itself: for one ticket and each target measuring it, what the clock
did after every event (started, ran, paused, stopped, was cancelled) and why — the state or
event of the target's clock definition that made it so."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import measurements as measurement_repo
from servicelevel.engine.clocks import ClockDefinition, Mode, run_clock
from servicelevel.services import agreements, tickets
from servicelevel.services.permissions import Actor
from servicelevel.services.service_reports import engine_agreement
from servicelevel.services.whatif import ticket_set

MODES = {m.value: m.name.lower() for m in Mode}


@dataclass(frozen=True)
class Step:
    at: dt.datetime
    state: str
    event: str
    mode: str  # pending, running, paused, stopped, cancelled
    cause: str  # e.g. "pause state Awaiting Customer", "stop event responded"


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
    rows = [(ticket.id, ticket.external_id, ticket.priority, ticket.category)]
    history = [(ticket.id, e.at, e.state, e.event) for e in events]
    single = ticket_set(rows, history, [ticket.service])
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
        for target in engine.targets:
            if (found.id, target.id) not in measured:
                continue
            clock = engine.clocks[target.clock]
            result = run_clock(
                single.timelines,
                clock,
                engine.calendars[target.calendar],
                target.budget.seconds,
                int(now.timestamp()),
                explain=True,
            )
            modes = [] if result.modes is None else [int(m) for m in result.modes]
            steps = [
                Step(
                    e.at,
                    e.state,
                    e.event,
                    MODES[mode],
                    _cause(clock, e.state, e.event, mode),
                )
                for e, mode in zip(events, modes, strict=False)
            ]
            out.append(Explanation(found.code, version.number, target.id, steps))
    return out


def _cause(clock: ClockDefinition, state: str, event: str, mode: int) -> str:
    """Which part of the clock definition decided the mode after this event."""
    folded = state.casefold()

    def has(names: frozenset[str]) -> bool:
        return folded in {n.casefold() for n in names}

    if mode == Mode.CANCELLED and has(clock.cancel_states):
        return f"cancel state {state}"
    if mode == Mode.STOPPED:
        if event and event.casefold() in {n.casefold() for n in clock.stop_events}:
            return f"stop event {event}"
        return f"stop state {state}" if has(clock.stop_states) else "stopped earlier"
    if mode == Mode.PAUSED and has(clock.pause_states):
        return f"pause state {state}"
    if mode == Mode.PENDING:
        return "waiting for the start condition"
    return "running"
