"""Evaluate an agreement over tickets and outages for a period: the one source of figures.

Every rendering (CLI table, JSON, CSV, later the web page and reports) reads an
:class:`AgreementResult`, so they cannot disagree.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from servicelevel.engine import kernels
from servicelevel.engine.agreements import Agreement
from servicelevel.engine.availability import Availability, Outages, availability
from servicelevel.engine.calendars import I64, CompiledCalendar
from servicelevel.engine.clocks import ClockBatch, ClockDefinition, ClockRun, Measurements, Status
from servicelevel.engine.compliance import Compliance, compliance, in_period
from servicelevel.engine.credits import Credits, compute_credits
from servicelevel.engine.holding import NoHoldersError, handoffs, held_clock, held_timelines
from servicelevel.engine.periods import Period
from servicelevel.engine.targets import Target, TicketSet, assign
from servicelevel.engine.timelines import Timelines

Progress = Callable[[str], None]
MIN_CHUNK = 50_000  # tickets; below this, splitting costs more than it saves


@dataclass(frozen=True)
class TargetResult:
    target: Target
    tickets: I64  # indices into the ticket set
    measurements: Measurements
    in_period: np.ndarray
    compliance: Compliance


@dataclass(frozen=True)
class AgreementResult:
    agreement: Agreement
    period: Period
    now: int
    targets: tuple[TargetResult, ...]
    availability: Mapping[str, Availability]
    credits: Credits | None


def budgets(target: Target, tickets: TicketSet, chosen: I64, agreement: Agreement) -> I64:
    """Working seconds allowed per ticket: fixed, or from business days after its creation."""
    if not target.budget.is_business_days:  # one value for all: a read-only view, no memory
        return np.broadcast_to(np.int64(target.budget.seconds), (chosen.size,))
    calendar = agreement.calendars[target.calendar]
    tl = tickets.timelines
    created = tl.at[tl.first[chosen]]
    days = target.budget.business_days or 0
    return calendar.elapsed(created, calendar.deadline_business_days(created, days))


def measure(
    agreement: Agreement,
    tickets: TicketSet,
    now: int,
    progress: Progress | None = None,
    workers: int | None = None,
) -> dict[str, tuple[I64, Measurements]]:
    """Run every target's clock over the tickets it covers.

    Targets that measure the same tickets on the same calendar (a response and a resolution
    target, say) form one :class:`ClockBatch`: each ticket's events are read once for all of
    them. Tickets are independent, so each batch is cut into chunks that run on ``workers``
    threads (default: one per core); the compiled kernel releases the interpreter lock, so the
    chunks truly run side by side.
    """
    chosen = _held_only(agreement, tickets, assign(agreement.targets, tickets))
    groups: list[list[Target]] = []
    for target in agreement.targets:
        mine = chosen[target.id]
        for members in groups:
            first = members[0]
            same = first.calendar == target.calendar and first.held_by == target.held_by
            if same and (chosen[first.id] is mine or np.array_equal(chosen[first.id], mine)):
                members.append(target)
                break
        else:
            groups.append([target])
    threads = workers or os.cpu_count() or 1
    compiled = _compile_ahead(agreement, tickets, now)
    batches = []
    held = _held_timelines(agreement, tickets)
    for members in groups:
        calendar, idx, team = members[0].calendar, chosen[members[0].id], members[0].held_by
        timelines = held[team] if team else tickets.timelines
        runs = [
            ClockRun(_clock(agreement, t, tickets), budgets(t, tickets, idx, agreement), t.warnings)
            for t in members
        ]
        calendars = agreement.calendars[calendar]
        batch = ClockBatch(timelines, idx, calendars, now, runs, compiled=compiled[calendar])
        batches.append((members, batch))
    tasks = [
        (batch, lo, hi)
        for _, batch in batches
        for lo, hi in batch.chunks(_pieces(batch.rows.size, threads))
    ]

    kernel = kernels.choose(sum(batch.measurements for _, batch in batches))

    def run(task: tuple[ClockBatch, int, int]) -> None:
        batch, lo, hi = task
        batch.run(lo, hi, kernel)

    if threads > 1 and len(tasks) > 1 and kernel.COMPILING:  # threads gain nothing interpreted
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(run, tasks))
    else:
        for task in tasks:
            run(task)
    measured = {}
    for members, batch in batches:
        for target, m in zip(members, batch.results(), strict=True):
            measured[target.id] = m
    out = {}
    for target in agreement.targets:
        out[target.id] = (chosen[target.id], measured[target.id])
        if progress is not None:
            progress(target.id)
    return out


def _held_timelines(agreement: Agreement, tickets: TicketSet) -> dict[str, Timelines]:
    """For each team a target is held by, the timelines its clocks read (see
    :mod:`servicelevel.engine.holding`)."""
    teams = {t.held_by for t in agreement.targets if t.held_by}
    if teams and tickets.holders is None:
        raise NoHoldersError(
            f"targets of {agreement.id} count only while team {sorted(teams)[0]} holds a "
            "ticket, but the tickets do not say which team held them: map a team column"
        )
    holders = tickets.holders
    return (
        {}
        if holders is None
        else {team: held_timelines(tickets.timelines, holders, team) for team in teams}
    )


def _held_only(agreement: Agreement, tickets: TicketSet, chosen: dict[str, I64]) -> dict[str, I64]:
    """A target held by a team measures only the tickets the team held at some time."""
    if tickets.holders is None:
        return chosen
    tl, every = tickets.timelines, np.arange(tickets.timelines.n_tickets, dtype=np.int64)
    held = {
        team: handoffs(tl, tickets.holders, team, every) > 0
        for team in {t.held_by for t in agreement.targets if t.held_by}
    }
    return {
        t.id: chosen[t.id][held[t.held_by][chosen[t.id]]] if t.held_by else chosen[t.id]
        for t in agreement.targets
    }


def _clock(agreement: Agreement, target: Target, tickets: TicketSet) -> ClockDefinition:
    clock = agreement.clocks[target.clock]
    return held_clock(clock, tickets.timelines.states) if target.held_by else clock


def _pieces(tickets: int, threads: int) -> int:
    """How many chunks keep every thread busy without costing more than they save."""
    return max(1, min(2 * threads, tickets // MIN_CHUNK)) if threads > 1 else 1


def _compile_ahead(
    agreement: Agreement, tickets: TicketSet, now: int
) -> dict[str, CompiledCalendar]:
    """Compile each calendar once, for all its batches, before threads share it."""
    at = tickets.timelines.at
    first = min(int(at.min()), now) if at.size else now
    span = np.array([first, now], dtype=np.int64)
    return {
        name: agreement.calendars[name].covering(span)
        for name in {t.calendar for t in agreement.targets}
    }


def evaluate(
    agreement: Agreement,
    tickets: TicketSet,
    period: Period,
    now: int,
    outages: Mapping[str, Outages] | None = None,
    progress: Progress | None = None,
    excluded: Mapping[str, Collection[str]] | None = None,
) -> AgreementResult:
    """All figures of ``agreement`` for ``period`` as of ``now``; ``excluded`` names, per
    target, the tickets whose breach was excluded by decision (counted as met)."""
    measured = measure(agreement, tickets, now, progress)
    return assemble(agreement, np.asarray(tickets.ids), period, now, measured, outages, excluded)


def assemble(
    agreement: Agreement,
    ids: np.ndarray,
    period: Period,
    now: int,
    measured: Mapping[str, tuple[I64, Measurements]],
    outages: Mapping[str, Outages] | None = None,
    excluded: Mapping[str, Collection[str]] | None = None,
) -> AgreementResult:
    """The figures from measurements already made (``measured``: per target, indices into
    ``ids`` and their measurements) — by :func:`measure`, or read back from storage."""

    def figures(target: Target) -> TargetResult:
        idx, m = measured[target.id]
        mask = in_period(m, period.start, period.end)
        waived = None
        if excluded and excluded.get(target.id):
            waived = np.isin(ids[idx], np.array(sorted(excluded[target.id])))
        return TargetResult(
            target, idx, m, mask, compliance(m, mask, target.objective, excluded=waived)
        )

    # targets are independent and NumPy releases the interpreter lock in its loops
    size = sum(measured[t.id][0].size for t in agreement.targets)
    threads = min(os.cpu_count() or 1, len(agreement.targets))
    if threads > 1 and size >= MIN_CHUNK:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(figures, agreement.targets))
    else:
        results = [figures(t) for t in agreement.targets]
    avail = {
        a.id: availability(
            (outages or {}).get(a.service, Outages.of([])),
            agreement.calendars[a.calendar],
            period.start,
            period.end,
            a.objective,
            as_of=now,
        )
        for a in agreement.availability
    }
    return AgreementResult(
        agreement, period, now, tuple(results), avail, _credits(agreement, results, avail, period)
    )


def _credits(
    agreement: Agreement,
    results: list[TargetResult],
    avail: Mapping[str, Availability],
    period: Period,
) -> Credits | None:
    if not agreement.credits:
        return None
    metrics: dict[str, float | None] = {r.target.id: r.compliance.within for r in results}
    metrics.update({k: v.availability for k, v in avail.items()})
    breaches = {
        r.target.id: int((r.measurements.status[r.in_period] == Status.BREACHED).sum())
        - r.compliance.excluded
        for r in results
    }
    fee = 0.0
    if agreement.fee is not None:
        fee = agreement.fee.amount * period.months / agreement.fee.months
    return compute_credits(agreement.credits, metrics, breaches, fee, agreement.credit_cap)
