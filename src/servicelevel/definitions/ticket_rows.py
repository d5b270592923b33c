"""A ticket's mapped rows put together as the events of its history.

Rows are grouped by ticket (tickets in the order they first appear) and each ticket's rows are
ordered as its mapping says: ``file`` (the export's own order), ``sequence`` (a column such as
ServiceNow's ``sys_mod_count``; equal numbers keep file order) or ``time`` (equal instants keep
file order). Time is the default only because the generic format allows rows in any order: an
export with minute-resolution stamps says more through its order than through its times.

When the order is not time, an instant may run backwards (two updates of one minute, or a clock
that was wrong). The order is trusted over the stamp: an update cannot have happened after one
that came later, so its instant is taken as the earliest instant of the updates after it. For
ServiceNow's INC0000137 this turns a false reopen (122 h used) into the 1.25 h it took.

A blank state keeps the state before it, as blank attribute cells do; a ticket whose first row
has no state is an error at that row. With ``opened`` mapped (ServiceNow's ``opened_at``), the
clock may start before the first update: an event at that instant, in the first row's state, is
put first. Attributes (the columns no field uses) are kept per event only where they change, so
the events hold the history of the ticket's attributes without repeating them on every row;
``standing`` holds them all as they stand after the event, for its identity.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Event = dict[str, Any]


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be part of its ticket's history (its line, and why)."""

    line: int
    reason: str


def arrange(events: list[Event], order: str) -> tuple[list[Event], list[RowProblem]]:
    """Every ticket's events in order, states filled in, instants in order, the opening event
    added and attributes reduced to their changes; rows that cannot be placed, with why."""
    grouped: dict[str, list[Event]] = {}
    for event in events:
        grouped.setdefault(event["ticket"], []).append(event)
    out: list[Event] = []
    problems: list[RowProblem] = []
    for rows in grouped.values():
        placed, found = _history(_ordered(rows, order), order)
        out.extend(placed)
        problems.extend(found)
    return out, problems


def _ordered(rows: list[Event], order: str) -> list[Event]:
    keys: dict[str, Callable[[Event], Any]] = {
        "time": lambda e: e["at"],
        "sequence": lambda e: e["sequence"],
    }
    return sorted(rows, key=keys[order]) if order in keys else list(rows)  # stable


def _history(rows: list[Event], order: str) -> tuple[list[Event], list[RowProblem]]:
    kept, problems = _with_states(rows)
    if order != "time":
        _instants_in_order(kept)
    kept = _opening(kept)
    _changes_only(kept)
    for event in kept:
        event.pop("sequence", None)
        event.pop("opened", None)
    return kept, problems


def _with_states(rows: list[Event]) -> tuple[list[Event], list[RowProblem]]:
    """Blank states filled with the state before them; rows before any state are problems."""
    kept: list[Event] = []
    problems: list[RowProblem] = []
    state = ""
    for event in rows:
        state = event.get("state") or state
        if not state:
            problems.append(
                RowProblem(
                    event["line"],
                    f"no state, and no earlier row of ticket {event['ticket']} to take it from",
                )
            )
            continue
        kept.append({**event, "state": state})
    return kept, problems


def _instants_in_order(events: list[Event]) -> None:
    """Each instant at most the earliest of those after it (the order is trusted)."""
    for i in range(len(events) - 2, -1, -1):
        if events[i]["at"] > events[i + 1]["at"]:
            events[i]["at"] = events[i + 1]["at"]


def _opening(events: list[Event]) -> list[Event]:
    """An event at the mapped opening instant, when it comes before the first update."""
    if not events:
        return events
    first = events[0]
    opened: dt.datetime | None = first.get("opened")
    if opened is None or opened >= first["at"]:
        return events
    key = "opened" if first.get("key") else ""
    return [{**first, "at": opened, "event": "", "key": key}, *events]


def _changes_only(events: list[Event]) -> None:
    """Attributes kept on the events where their value changes (blank cells keep the value)."""
    latest: dict[str, str] = {}
    for event in events:
        attributes: dict[str, str] = event.get("attributes", {})
        event["attributes"] = {k: v for k, v in attributes.items() if latest.get(k) != v}
        latest.update(attributes)
        event["standing"] = dict(latest)  # the event's identity (see events.EventData)
