"""Tickets as event timelines, held column-wise so that a million tickets are a few arrays.

Events of one ticket are contiguous and in the order they happened (``offsets`` is a CSR index:
ticket ``j`` owns events ``offsets[j]:offsets[j+1]``). Each event carries the ticket's state
*after* the event and, optionally, the name of what happened (``created``, ``responded``,
``reopened``…); both are integer codes into the vocabularies ``states`` and ``events``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from servicelevel.engine.calendars import I64

I32 = NDArray[np.int32]
NO_EVENT = -1


@dataclass(frozen=True)
class Timelines:
    """Event timelines of ``n_tickets`` tickets (see the module docstring)."""

    offsets: I64
    at: I64
    state: I32
    event: I32
    states: tuple[str, ...]
    events: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        n = self.at.size
        if self.offsets.size < 1 or self.offsets[0] != 0 or self.offsets[-1] != n:
            raise ValueError("offsets must start at 0 and end at the number of events")
        if self.state.size != n or self.event.size != n:
            raise ValueError("at, state and event must have one entry per event")
        if n and np.any(np.diff(self.offsets) < 0):
            raise ValueError("offsets must not decrease")

    @classmethod
    def from_lists(
        cls,
        offsets: Sequence[int],
        at: Sequence[int],
        state: Sequence[int],
        event: Sequence[int],
        states: Sequence[str],
        events: Sequence[str],
    ) -> Timelines:
        """Timelines from plain Python lists (and vocabularies in code order)."""
        return cls(
            np.array(offsets, dtype=np.int64),
            np.array(at, dtype=np.int64),
            np.array(state, dtype=np.int32),
            np.array(event, dtype=np.int32),
            tuple(states),
            tuple(events),
        )

    @property
    def n_tickets(self) -> int:
        return int(self.offsets.size - 1)

    @property
    def counts(self) -> I64:
        return np.diff(self.offsets)

    @property
    def first(self) -> I64:
        """Index of each ticket's first event (meaningless for tickets without events)."""
        return self.offsets[:-1]

    def state_codes(self, names: Sequence[str] | frozenset[str]) -> NDArray[np.bool_]:
        """A lookup table: which state codes are among ``names``."""
        return _lookup(self.states, names)

    def event_codes(self, names: Sequence[str] | frozenset[str]) -> NDArray[np.bool_]:
        """A lookup table over event codes; index ``-1`` (no event name) is always False."""
        return np.append(_lookup(self.events, names), False)

    def event_index(self, tickets: I64) -> tuple[I64, I64]:
        """The offsets of the given tickets' timelines taken in that order, and the indices
        of their events here (to take per-event columns along, as :meth:`subset` does)."""
        counts = self.counts[tickets]
        offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        starts = self.offsets[tickets]
        idx = np.repeat(starts - offsets[:-1], counts) + np.arange(offsets[-1], dtype=np.int64)
        return offsets, idx

    def subset(self, tickets: I64) -> Timelines:
        """The timelines of the given tickets, in the given order."""
        offsets, idx = self.event_index(tickets)
        return Timelines(
            offsets, self.at[idx], self.state[idx], self.event[idx], self.states, self.events
        )

    def until(self, now: int) -> Timelines:
        """Only the events that happened at or before ``now`` (an as-of view)."""
        keep = self.at <= now
        if keep.all():
            return self
        kept_before = np.concatenate(([0], np.cumsum(keep))).astype(np.int64)
        return Timelines(
            kept_before[self.offsets],
            self.at[keep],
            self.state[keep],
            self.event[keep],
            self.states,
            self.events,
        )


def _lookup(vocabulary: Sequence[str], names: Sequence[str] | frozenset[str]) -> NDArray[np.bool_]:
    wanted = {n.casefold() for n in names}
    return np.array([v.casefold() in wanted for v in vocabulary], dtype=bool)


def from_rows(
    tickets: Sequence[Sequence[tuple[int, str, str | None]]],
) -> Timelines:
    """Build timelines from Python rows ``(epoch, state, event-name-or-None)`` per ticket.

    Convenient for tests and small inputs; bulk loaders build the arrays directly.
    """
    states: dict[str, int] = {}
    events: dict[str, int] = {}
    at, st, ev, offsets = [], [], [], [0]
    for rows in tickets:
        for epoch, state, name in rows:
            at.append(epoch)
            st.append(states.setdefault(state, len(states)))
            ev.append(NO_EVENT if name is None else events.setdefault(name, len(events)))
        offsets.append(len(at))
    return Timelines.from_lists(offsets, at, st, ev, list(states), list(events))
