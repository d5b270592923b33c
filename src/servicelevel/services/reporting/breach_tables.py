"""A period's breaches as the report's table: which target and ticket, when, how far over the
budget, and whether the breach was excluded (and why); with the counts by priority and category.

Split from :mod:`servicelevel.services.reporting.figures` (the model that holds the table):
a month of a hundred thousand tickets has tens of thousands of breaches, so the table is built
in columns by a few vectorised steps, and instants are written in the agreement's zone at once.
Pure given its inputs, like the model.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import NONE, Status
from servicelevel.engine.evaluation import AgreementResult
from servicelevel.engine.targets import TicketSet


@dataclass(frozen=True)
class Exclusion:
    """Why a breach was excluded (agreed with the customer) and when that was decided."""

    reason: str
    decided_at: str | None = None  # ISO 8601


Exclusions = Mapping[tuple[str, str], Exclusion]  # (target id, ticket number) → exclusion


@dataclass(frozen=True)
class PeriodBreaches:
    """The period's breaches of every ticket target, earliest first (ties: by target id, then
    in the order of the target's measurements), as parallel arrays: when, which target (its
    position in ``result.targets``), which measurement of it, which ticket of the report."""

    at: I64
    target: I64
    row: I64
    ticket: I64

    def __len__(self) -> int:
        return int(self.at.size)


def period_breaches(result: AgreementResult) -> PeriodBreaches:
    """One vectorised pass over the targets' measurements (a hundred thousand tickets: a few
    milliseconds, where a Python tuple per breach, sorted, took a second)."""
    parts: list[tuple[I64, I64, I64, I64]] = []
    rank = {t: i for i, t in enumerate(sorted(r.target.id for r in result.targets))}
    for position, r in enumerate(result.targets):
        m = r.measurements
        rows = np.flatnonzero(r.in_period & (m.status == Status.BREACHED)).astype(np.int64)
        same = np.full(rows.size, position, dtype=np.int64)
        parts.append((m.breached_at[rows].astype(np.int64), same, rows, r.tickets[rows]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return PeriodBreaches(empty, empty, empty, empty)
    at, target, row, ticket = (np.concatenate([p[i] for p in parts]) for i in range(4))
    ranks = np.array([rank[r.target.id] for r in result.targets], dtype=np.int64)[target]
    order = np.argsort(ranks, kind="stable")
    order = order[np.argsort(at[order], kind="stable")]
    return PeriodBreaches(at[order], target[order], row[order], ticket[order].astype(np.int64))


BREACH_KEYS = (
    "target",
    "ticket",
    "target_name",
    "priority",
    "category",
    "breached_at",
    "stopped_at",
    "used_seconds",
    "budget_seconds",
    "over_seconds",
    "excluded",
    "exclusion_reason",
    "exclusion_decided_at",
)


@dataclass(frozen=True)
class BreachTable:
    """The period's breaches as columns (one list per key of :data:`BREACH_KEYS`), earliest
    first. A month of a hundred thousand tickets has tens of thousands of breaches: the
    columns are built in a few vectorised steps, and rows (dictionaries) only for the
    renderings that list them all; the page lists the first fifty and counts the rest."""

    columns: dict[str, list[Any]]

    def __len__(self) -> int:
        return len(self.columns["target"])

    def rows(self, positions: Iterable[int] | None = None) -> list[dict[str, Any]]:
        chosen = range(len(self)) if positions is None else positions
        cols = [self.columns[k] for k in BREACH_KEYS]
        return [dict(zip(BREACH_KEYS, [c[i] for c in cols], strict=True)) for i in chosen]

    def shown(self, first: int) -> list[int]:
        """The positions of the first ``first`` breaches and of every excluded one."""
        flags = self.columns["excluded"]
        return [i for i in range(len(self)) if i < first or flags[i]]


def all_breach_rows(
    result: AgreementResult, tickets: TicketSet, exclusions: Exclusions
) -> list[dict[str, Any]]:
    """Every breach of the period, earliest first, each with its target and ticket number,
    and whether it was excluded (and why)."""
    return breach_table(result, tickets, exclusions).rows()


def breach_table(
    result: AgreementResult, tickets: TicketSet, exclusions: Exclusions
) -> BreachTable:
    """:func:`period_breaches` as columns: the measurements' figures gathered per target, the
    instants written in the agreement's zone at once (:func:`iso_instants`)."""
    b = period_breaches(result)
    n = len(b)
    used, budget, stopped = (np.zeros(n, dtype=np.int64) for _ in range(3))
    for position, r in enumerate(result.targets):
        mine = b.target == position
        rows = b.row[mine]
        used[mine] = r.measurements.used[rows]
        budget[mine] = r.measurements.budget[rows]
        stopped[mine] = r.measurements.stopped_at[rows]
    ids = [r.target.id for r in result.targets]
    target = [ids[p] for p in b.target.tolist()]
    return table_of(
        BreachColumns(
            target=target,
            ticket=[str(t) for t in np.asarray(tickets.ids)[b.ticket].tolist()],
            priority=_labels(tickets, "priority", b.ticket),
            category=_labels(tickets, "category", b.ticket),
            at=b.at,
            stopped=stopped,
            used=used,
            budget=budget,
        ),
        {r.target.id: r.target.name for r in result.targets},
        exclusions,
        ZoneInfo(result.agreement.timezone),
    )


@dataclass(frozen=True)
class BreachColumns:
    """Breaches, earliest first, as they were read: target ids, ticket numbers, the tickets'
    priority and category, when each breached, when its clock stopped (``NONE``: it has
    not), the time used and the budget (seconds)."""

    target: list[str]
    ticket: list[str]
    priority: list[str]
    category: list[str]
    at: I64
    stopped: I64
    used: I64
    budget: I64


def table_of(
    b: BreachColumns, names: Mapping[str, str], exclusions: Exclusions, zone: ZoneInfo
) -> BreachTable:
    """The breaches as the model's columns, with each target's name and each exclusion's
    reason; instants written in the agreement's zone at once (:func:`iso_instants`)."""
    notes = [exclusions.get(key) for key in zip(b.target, b.ticket, strict=True)]
    ended = b.stopped != NONE
    stopped_text = iso_instants(np.where(ended, b.stopped, b.at), zone)
    columns: dict[str, list[Any]] = {
        "target": b.target,
        "ticket": b.ticket,
        "target_name": [names[t] for t in b.target],
        "priority": b.priority,
        "category": b.category,
        "breached_at": iso_instants(b.at, zone),
        "stopped_at": [t if e else None for t, e in zip(stopped_text, ended.tolist(), strict=True)],
        "used_seconds": b.used.tolist(),
        "budget_seconds": b.budget.tolist(),
        "over_seconds": (b.used - b.budget).tolist(),
        "excluded": [e is not None for e in notes],
        "exclusion_reason": [None if e is None else e.reason for e in notes],
        "exclusion_decided_at": [None if e is None else e.decided_at for e in notes],
    }
    return BreachTable(columns)


def _labels(tickets: TicketSet, attribute: str, which: I64) -> list[str]:
    column = tickets.attributes.get(attribute)
    if column is None:
        return [""] * int(which.size)
    values = np.array(["", *column.values], dtype=object)
    return [str(v) for v in values[column.codes[which].astype(np.int64) + 1].tolist()]


def iso_instants(at: I64, zone: ZoneInfo) -> list[str]:
    """``format_instant`` of many instants at once: the zone's offset looked up once per hour
    they fall in (offsets change on the hour), the local times written by NumPy."""
    if not at.size:
        return []
    hours, where = np.unique(at // 3600, return_inverse=True)
    offsets = np.array([_offset(int(h) * 3600, zone) for h in hours.tolist()], dtype=np.int64)[
        where.reshape(-1)
    ]
    local = np.datetime_as_string((at + offsets).astype("datetime64[s]"), unit="s").tolist()
    suffix = {int(o): _offset_text(int(o)) for o in np.unique(offsets).tolist()}
    return [t + suffix[o] for t, o in zip(local, offsets.tolist(), strict=True)]


def _offset(epoch: int, zone: ZoneInfo) -> int:
    delta = dt.datetime.fromtimestamp(epoch, zone).utcoffset()
    return 0 if delta is None else int(delta.total_seconds())


def _offset_text(seconds: int) -> str:
    """``+08:00`` as ``isoformat`` writes an offset (seconds only when there are any)."""
    sign, rest = ("-" if seconds < 0 else "+"), abs(seconds)
    text = f"{sign}{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text + (f":{rest % 60:02d}" if rest % 60 else "")


def breach_counts(table: BreachTable) -> dict[str, Any]:
    """Breaches that count (not excluded) by priority and by category, most first (ties by
    label); the excluded ones only as their own count."""
    flags = table.columns["excluded"]
    counted = [i for i, excluded in enumerate(flags) if not excluded]
    by = {k: Counter(table.columns[k][i] for i in counted) for k in ("priority", "category")}
    return counts_of(by["priority"], by["category"], len(flags) - len(counted))


def counts_of(
    by_priority: Mapping[str, int], by_category: Mapping[str, int], excluded: int
) -> dict[str, Any]:
    """The model's breach counts from the counted breaches per priority and per category and
    the number excluded."""
    return {
        "counted": sum(by_priority.values()),
        "excluded": excluded,
        "by_priority": _ordered(by_priority, "priority"),
        "by_category": _ordered(by_category, "category"),
    }


def _ordered(counts: Mapping[str, int], key: str) -> list[dict[str, Any]]:
    ordered = sorted(((k, n) for k, n in counts.items() if n), key=lambda kv: (-kv[1], kv[0]))
    return [{key: label, "count": n} for label, n in ordered]
