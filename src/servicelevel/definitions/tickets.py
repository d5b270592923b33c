"""The generic ticket event CSV (docs/formats.md#tickets) → :class:`TicketSet`.

One row per event::

    ticket,at,state,event,priority,category,service,customer
    INC1,2025-03-03T09:12:00+08:00,New,created,P2,Network,email,Contoso
    INC1,2025-03-03T09:40:00+08:00,In Progress,responded,,,,
    INC1,2025-03-03T11:02:00+08:00,Resolved,resolved,,,,

``ticket`` and ``at`` are required on every row; ``state`` on a ticket's first row (later blank
cells keep the previous value, as do blank attribute cells). ``event`` names what happened,
when it matters to a clock. Every other column is an attribute that targets may select on; a
ticket is measured with its latest values (a priority change moves it to the matching target
without losing the time already used). A ``team`` column says which team holds the ticket
after each event (a blank keeps the previous team): targets ``held_by`` a team count only
while it holds the ticket. Rows may come in any order: events are sorted by time,
ties kept in file order. Instants without an offset are read in the given time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from servicelevel.definitions.csvfiles import csv_lines, dict_rows
from servicelevel.definitions.instants import parse_instant
from servicelevel.definitions.source import DefinitionError
from servicelevel.engine.holding import carried_forward
from servicelevel.engine.targets import Categorical, TicketSet
from servicelevel.engine.timelines import NO_EVENT, Timelines

REQUIRED = ("ticket", "at")
CORE = ("ticket", "at", "state", "event")


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file, header is line 1
    reason: str


class BadRowsError(DefinitionError):
    """Rows that cannot be read; lists every bad row (up to a limit)."""

    def __init__(self, source: str, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "; ".join(f"row {e.row}: {e.reason}" for e in errors[:10])
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        super().__init__(source, f"{len(errors)} bad row(s): {shown}{more}")


Row = TypeVar("Row")


def parse_rows(
    lines: Iterable[str],
    name: str,
    required: Sequence[str],
    make: Callable[[int, dict[str, str]], Row],
) -> list[Row]:
    """CSV rows read by ``make(line, row)`` (a ``ValueError`` names what is wrong); every bad
    row is listed at once, so a file is mended in one pass."""
    header, numbered = dict_rows(lines, name)
    missing = [c for c in required if c not in header]
    if missing:
        raise DefinitionError(name, f"missing column(s): {', '.join(missing)}", 1)
    rows, errors = [], []
    for line, row in numbered:
        try:
            rows.append(make(line, row))
        except ValueError as exc:
            errors.append(RowError(line, str(exc)))
    if errors:
        raise BadRowsError(name, errors)
    return rows


def read_tickets(path: str | Path, zone: ZoneInfo | None = None) -> TicketSet:
    """Read a ticket event CSV; any bad row fails the whole file, naming every bad row."""
    with csv_lines(path) as lines:
        fields, rows = dict_rows(lines, str(path))
        missing = [c for c in REQUIRED if c not in fields]
        if missing:
            raise DefinitionError(str(path), f"missing column(s): {', '.join(missing)}", 1)
        return tickets_from_rows(rows, fields, str(path), zone)


def tickets_from_rows(
    rows: Iterable[tuple[int, dict[str, str]]],
    fields: list[str],
    source: str,
    zone: ZoneInfo | None,
) -> TicketSet:
    """Build a ticket set from numbered CSV rows (see the module docstring)."""
    errors: list[RowError] = []
    parsed: list[tuple[str, int, int, str | None, str | None, dict[str, str]]] = []
    for line, row in rows:
        ticket = (row.get("ticket") or "").strip()
        at_text = (row.get("at") or "").strip()
        if not ticket:
            errors.append(RowError(line, "ticket is empty"))
            continue
        try:
            at = parse_instant(at_text, zone)
        except ValueError as exc:
            errors.append(RowError(line, f"at: {exc}"))
            continue
        attrs = {k: v.strip() for k, v in row.items() if k not in CORE and k and v and v.strip()}
        parsed.append((ticket, at, line, _blank(row.get("state")), _blank(row.get("event")), attrs))
    if errors:
        raise BadRowsError(source, errors)
    return _assemble(parsed, source, [f for f in fields if f not in CORE])


def _blank(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None


def _assemble(
    parsed: list[tuple[str, int, int, str | None, str | None, dict[str, str]]],
    source: str,
    attribute_names: list[str],
) -> TicketSet:
    parsed.sort(key=lambda r: (r[0], r[1], r[2]))
    ids: list[str] = []
    offsets: list[int] = []
    states: dict[str, int] = {}
    events: dict[str, int] = {}
    at: list[int] = []
    st: list[int] = []
    ev: list[int] = []
    latest: list[dict[str, str]] = []
    teams: list[str | None] = []  # per event: the team it names (holders, engine.holding)
    current: str | None = None
    previous_state = ""
    errors: list[RowError] = []
    for ticket, epoch, line, state, event, attrs in parsed:
        if ticket != current:
            current = ticket
            ids.append(ticket)
            offsets.append(len(at))
            latest.append({})
            if state is None:
                errors.append(RowError(line, f"first event of ticket {ticket} has no state"))
                state = ""
        elif state is None:
            state = previous_state
        previous_state = state
        at.append(epoch)
        st.append(states.setdefault(state, len(states)))
        ev.append(NO_EVENT if event is None else events.setdefault(event, len(events)))
        latest[-1].update(attrs)
        teams.append(attrs.get("team"))
    if errors:
        raise BadRowsError(source, errors)
    offsets.append(len(at))
    names = list(dict.fromkeys([*attribute_names, *(k for d in latest for k in d)]))
    timelines = Timelines.from_lists(offsets, at, st, ev, list(states), list(events))
    attributes = {n: Categorical.from_strings([d.get(n) for d in latest]) for n in names}
    named = Categorical.from_strings(teams)
    holders = carried_forward(timelines, named) if named.values else None
    return TicketSet(tuple(ids), timelines, attributes, holders)
