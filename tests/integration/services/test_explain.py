"""Why a clock did what it did after an event: the part of the definition that decided it."""

from __future__ import annotations

import pytest

from servicelevel.engine.clocks import ClockDefinition, Mode
from servicelevel.services.explain import _cause

CLOCK = ClockDefinition(
    pause_states=frozenset({"Awaiting Customer"}),
    stop_states=frozenset({"Resolved"}),
    stop_events=frozenset({"responded"}),
    cancel_states=frozenset({"Cancelled"}),
)


@pytest.mark.parametrize(
    ("state", "event", "mode", "cause"),
    [
        ("awaiting customer", "", Mode.PAUSED, "pause state awaiting customer"),
        ("In Progress", "responded", Mode.STOPPED, "stop event responded"),
        ("Resolved", "", Mode.STOPPED, "stop state Resolved"),
        ("In Progress", "", Mode.STOPPED, "stopped earlier"),
        ("Cancelled", "", Mode.CANCELLED, "cancel state Cancelled"),
        ("New", "created", Mode.PENDING, "waiting for the start condition"),
        ("New", "created", Mode.RUNNING, "running"),
    ],
)
def test_the_cause_names_the_deciding_state_or_event(
    state: str, event: str, mode: Mode, cause: str
) -> None:
    assert _cause(CLOCK, state, event, mode) == cause
