"""Who holds a ticket: the team it is assigned to after each of its events.

An OLA promises what one team does with a ticket while the team has it ("the network team
resolves its part within 4 hours"), not what happens to the ticket elsewhere. So a target held
by a team runs its clock only while that team holds the ticket: every event after which another
team (or no team) holds it is read as an *away* copy of its state, and the clock pauses in away
states — but stops, is cancelled or starts in them as it would in the state itself. The time
used is then the time in the team's hands, and all the clock's rules (pauses, stops, reopens,
warnings, deadlines) apply unchanged; the compiled kernel needs no new case.

The same per-event holders say how often a ticket came to the team (hand-offs) and which team
held a ticket at any instant, e.g. when an SLA target was breached.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import NONE, ClockDefinition
from servicelevel.engine.targets import Categorical
from servicelevel.engine.timelines import Timelines

AWAY = "\x1faway"  # suffix of a state's away copy (never shown: the states' vocabulary only)


class NoHoldersError(ValueError):
    """A target is measured while a team holds the ticket, but the tickets do not say who held
    them (no team column mapped)."""


def carried_forward(tl: Timelines, teams: Categorical) -> Categorical:
    """Each event's holder: the team it names, else the one named last before it on the same
    ticket (a blank keeps the previous value), else none (``-1``)."""
    n = tl.at.size
    position = np.where(teams.codes >= 0, np.arange(n, dtype=np.int64), -1)
    latest = np.maximum.accumulate(position) if n else position
    owner_first = np.repeat(tl.first, tl.counts)
    known = latest >= owner_first  # named on this ticket, not carried over from the one before
    codes = np.where(known, teams.codes[np.maximum(latest, 0)], -1).astype(np.int32)
    return Categorical(codes, teams.values)


def _is(holders: Categorical, team: str) -> np.ndarray:
    return holders.isin(frozenset([team]))


def held_timelines(tl: Timelines, holders: Categorical, team: str) -> Timelines:
    """The timelines with every event after which ``team`` does not hold the ticket in the away
    copy of its state."""
    away = ~_is(holders, team)
    state = np.where(away, tl.state + len(tl.states), tl.state).astype(np.int32)
    states = (*tl.states, *(s + AWAY for s in tl.states))
    return Timelines(tl.offsets, tl.at, state, tl.event, states, tl.events)


def held_clock(clock: ClockDefinition, states: tuple[str, ...]) -> ClockDefinition:
    """The clock over :func:`held_timelines` (whose tickets' own ``states`` are given): away
    copies pause it, unless the state itself stops or cancels it; a state that starts it
    starts it in its away copy too."""

    def away(names: frozenset[str]) -> frozenset[str]:
        return frozenset(s + AWAY for s in names)

    ending = {s.casefold() for s in clock.stop_states | clock.cancel_states}
    return replace(
        clock,
        start_states=clock.start_states | away(clock.start_states),
        stop_states=clock.stop_states | away(clock.stop_states),
        cancel_states=clock.cancel_states | away(clock.cancel_states),
        pause_states=clock.pause_states
        | away(frozenset(s for s in states if s.casefold() not in ending)),
    )


def handoffs(tl: Timelines, holders: Categorical, team: str, rows: I64) -> I64:
    """For the tickets ``rows``, how many times each came to ``team``: events after which the
    team holds it and did not just before (its first event included)."""
    held = _is(holders, team)
    before = np.concatenate(([False], held[:-1]))
    before[tl.first[tl.counts > 0]] = False  # a ticket's first event follows no other
    arrivals = np.concatenate(([0], np.cumsum(held & ~before)))
    return (arrivals[tl.offsets[1:]] - arrivals[tl.offsets[:-1]])[rows].astype(np.int64)


def holder_at(tl: Timelines, holders: Categorical, rows: I64, instants: I64) -> list[str]:
    """For each ticket of ``rows``, the team holding it at the matching instant ("" for none,
    for an instant that does not exist, or before the ticket's first event)."""
    out: list[str] = []
    for row, instant in zip(rows.tolist(), instants.tolist(), strict=True):
        lo, hi = int(tl.offsets[row]), int(tl.offsets[row + 1])
        if instant == NONE or hi == lo:
            out.append("")
            continue
        i = lo + int(np.searchsorted(tl.at[lo:hi], instant, side="right")) - 1
        out.append(holders.label(i) if i >= lo else "")
    return out
