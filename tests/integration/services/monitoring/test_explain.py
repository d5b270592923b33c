"""Why a clock did what it did after an event: the part of the definition that decided it."""

from __future__ import annotations

import datetime as dt

import pytest

from servicelevel.engine.clocks import ClockDefinition, Mode
from servicelevel.services.monitoring.explain import _cause

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
    why, params = _cause(CLOCK, state, event, mode)
    assert why.format(**params) == cause


def test_a_version_put_in_force_while_the_ticket_runs_is_named_but_not_applied() -> None:
    from servicelevel.db.models import Agreement, AgreementVersion
    from servicelevel.services.monitoring.explain import _version_steps

    jan, jun = (dt.datetime(2026, m, 1, tzinfo=dt.UTC) for m in (1, 6))
    first, second = AgreementVersion(number=1, in_force_from=jan), AgreementVersion(number=2)
    second.in_force_from = jun
    deal = Agreement(code="SLA-9", versions=[first, second])
    opened, closed = dt.datetime(2026, 5, 30, tzinfo=dt.UTC), dt.datetime(2026, 6, 2, tzinfo=dt.UTC)
    steps = _version_steps(deal, first, opened, closed)
    assert [(s.at, s.cause) for s in steps] == [
        (opened, "measured under version 1 of SLA-9, in force when the ticket started"),
        (jun, "version 2 in force from here; this ticket stays under version 1"),
    ]
    assert len(_version_steps(deal, first, opened, jun - dt.timedelta(days=1))) == 1
