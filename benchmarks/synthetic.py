"""Synthetic tickets for benchmarks: a million timelines in a few NumPy calls.

Each ticket: created (New) → responded (Active) → 0–3 pauses (Awaiting Customer → Active) →
Resolved, spread over 2025, in one of three regions that pick the calendar.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from servicelevel.engine.targets import Categorical, TicketSet
from servicelevel.engine.timelines import Timelines

STATES = ("New", "Active", "Awaiting Customer", "Resolved")
EVENTS = ("created", "responded", "resolved")
REGIONS = ("utc", "cn", "us")
START = 1_735_689_600  # 2025-01-01T00:00Z
YEAR = 365 * 86_400


def make_tickets(n: int, seed: int = 7) -> TicketSet:
    rng = np.random.default_rng(seed)
    pauses = rng.integers(0, 4, n)
    counts = 3 + 2 * pauses
    offsets = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    total = int(offsets[-1])
    ticket = np.repeat(np.arange(n), counts)
    pos = np.arange(total) - offsets[ticket]  # position of the event within its ticket
    last = pos == counts[ticket] - 1
    state = np.where(pos == 0, 0, np.where(pos % 2 == 1, 1, 2)).astype(np.int32)
    state[last] = 3
    event = np.full(total, -1, dtype=np.int32)
    event[pos == 0] = 0
    event[pos == 1] = 1
    event[last] = 2
    gaps = rng.exponential(3 * 3600, total).astype(np.int64)
    gaps[pos == 0] = 0
    created = START + rng.integers(0, YEAR, n)
    base = np.repeat(created, counts)
    within = np.cumsum(gaps)
    at = base + within - np.repeat(within[offsets[:-1]], counts)
    timelines = Timelines(offsets, at.astype(np.int64), state, event, STATES, EVENTS)
    region = Categorical(rng.integers(0, 3, n).astype(np.int32), REGIONS)
    return TicketSet(identifiers(n), timelines, {"region": region})


def identifiers(n: int) -> np.ndarray:
    return np.char.add("T", np.arange(n).astype(str))


def save(tickets: TicketSet, path: Path) -> None:
    tl = tickets.timelines
    np.savez(
        path,
        ids=np.asarray(tickets.ids),
        offsets=tl.offsets,
        at=tl.at,
        state=tl.state,
        event=tl.event,
        region=tickets.attributes["region"].codes,
    )


def load(path: Path) -> TicketSet:
    with np.load(path) as z:
        tl = Timelines(z["offsets"], z["at"], z["state"], z["event"], STATES, EVENTS)
        region = Categorical(z["region"], REGIONS)
        ids = z["ids"]
    return TicketSet(ids, tl, {"region": region})
