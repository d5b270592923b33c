"""Engine benchmark: full evaluation of 1,000,000 synthetic tickets, and peers on a sample.

Run with ``make bench`` (or ``python benchmarks/bench_engine.py --tickets 1000000``). Results
are written down in docs/performance.md.

1. Full evaluation: two targets per ticket (first response; resolution with 0–3 pauses), each
   with three warning thresholds, on three calendars (24×7 UTC; Mon–Fri split shifts in
   Asia/Shanghai with China's holidays and 调休 days; Mon–Fri 08:00–17:00 America/New_York with
   US holidays), then compliance for the year. Timed with and without loading the tickets
   from a file (NumPy .npz), median and best of at least five runs, alternating with a bare
   NumPy ``searchsorted`` pass over the same compiled calendars (the ratio is printed); the
   first call (compiling the kernel, or loading it from Numba's cache) is timed apart; peak
   memory above the loaded data from the resident size (/proc) and from tracemalloc.
2. Peers on a sample of the New York tickets, doing the same per-ticket work — business time
   from creation to resolution and the deadline of an 8-business-hour budget from creation —
   with businesstimedelta, pandas' CustomBusinessHour and a plain day-stepping loop. Results
   must be identical; the ratio is per ticket.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.engine.reference import RefCalendar, ref_deadline, ref_elapsed  # noqa: E402

from benchmarks.agreement import agreement, calendars  # noqa: E402
from benchmarks.synthetic import load, make_tickets, save  # noqa: E402
from servicelevel.engine import kernels  # noqa: E402
from servicelevel.engine.evaluation import evaluate, measure  # noqa: E402
from servicelevel.engine.periods import year  # noqa: E402
from servicelevel.engine.targets import Categorical, TicketSet  # noqa: E402

NOW = int(dt.datetime(2026, 1, 15, tzinfo=dt.UTC).timestamp())
NY = ZoneInfo("America/New_York")
BUDGET = 8 * 3600


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times), result


def reference_pass(tickets: TicketSet) -> tuple[np.ndarray, ...]:
    """The bare NumPy pass the engine is held against, on one thread over the same compiled
    calendars: per ticket its first-response time, resolution time net of pauses, the
    resolution deadline (8 h of working time plus the pauses from creation) and whether it was
    breached — ``searchsorted`` for F and for its inverse, nothing else."""
    tl = tickets.timelines
    region = tickets.attributes["region"].codes
    counts = tl.counts
    response = np.zeros(len(tickets), dtype=np.int64)
    resolution = np.zeros(len(tickets), dtype=np.int64)
    due = np.zeros(len(tickets), dtype=np.int64)
    cals = calendars()
    for code, name in enumerate(tickets.attributes["region"].values):
        rows = np.flatnonzero(region == code)
        n_events = counts[rows]
        first = np.concatenate(([0], np.cumsum(n_events)[:-1]))
        events = np.repeat(tl.offsets[rows] - first, n_events) + np.arange(int(n_events.sum()))
        at = tl.at[events]
        c = cals[name].covering(at, np.array([NOW], dtype=np.int64))
        opens, lengths, cum = c.padded()
        i = np.searchsorted(c.opens, at, side="right")
        f = cum[i] + np.minimum(at - opens[i], lengths[i])
        step = np.diff(f, append=0)
        running = tl.state[events] <= 1  # New or Active
        last = first + n_events - 1
        running[last] = False
        used = np.add.reduceat(np.where(running, step, 0), first)
        total = f[last] - f[first]
        response[rows] = f[first + 1] - f[first]
        resolution[rows] = used
        x = f[first] + BUDGET + (total - used)
        k = np.searchsorted(c.cum_end, x, side="right")
        due[rows] = c.opens[k] + (x - c.cum[k])
    return response, resolution, due, resolution > BUDGET


def statm_rss() -> int:
    """Resident memory of this process now, in bytes (from /proc, no extra package)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_above_now(fn: Callable[[], Any]) -> int:
    """How far the resident memory peaks above its current level while ``fn`` runs: counts
    what tracemalloc misses (compiled code's allocations). Linux only: resets the high-water
    mark through /proc/self/clear_refs."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return -1
    base = statm_rss()
    fn()
    with open("/proc/self/status") as f:
        hwm = next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmHWM:"))
    return hwm - base


def traced_peak(fn: Callable[[], Any]) -> int:
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    fn()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def first_tickets(tickets: TicketSet, n: int) -> TicketSet:
    rows = np.arange(min(n, len(tickets)), dtype=np.int64)
    attributes = {k: Categorical(v.codes[rows], v.values) for k, v in tickets.attributes.items()}
    return TicketSet(np.asarray(tickets.ids)[rows], tickets.timelines.subset(rows), attributes)


def kernel_origin() -> str:
    """Whether this process compiled the clock kernel or loaded it from Numba's cache."""
    kernel = sys.modules.get("servicelevel.engine.clock_kernel")
    if kernel is None:
        return "not used"
    stats = kernel.run_chunk.stats
    hits, misses = sum(stats.cache_hits.values()), sum(stats.cache_misses.values())
    return "loaded from the cache" if hits and not misses else "compiled"


def full_evaluation(tickets_file: Path, n: int, runs: int) -> dict[str, float]:
    if not tickets_file.exists():
        tickets_file.parent.mkdir(parents=True, exist_ok=True)
        save(make_tickets(n), tickets_file)
    deal = agreement()
    period = year(2025, "UTC")
    tickets = load(tickets_file)
    assert len(tickets) == n, f"{tickets_file} holds {len(tickets)} tickets, not {n}"
    start = time.perf_counter()
    # calendars and the compiled kernel, loaded before memory is measured (1,000 tickets alone
    # would run interpreted: engine.kernels)
    with kernels.using("compiled"):
        evaluate(deal, first_tickets(tickets, 1000), period, NOW)
    first_call = time.perf_counter() - start
    rss_ours = peak_rss_above_now(lambda: evaluate(deal, tickets, period, NOW))
    rss_ref = peak_rss_above_now(lambda: reference_pass(tickets))
    ours, ref = [], []
    result = None
    for _ in range(max(runs, 5)):  # alternate, so that both see the same load
        start = time.perf_counter()
        result = evaluate(deal, tickets, period, NOW)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        reference_pass(tickets)
        ref.append(time.perf_counter() - start)
    best, median = min(ours), statistics.median(ours)
    best_ref, median_ref = min(ref), statistics.median(ref)
    best_io, median_io, _ = timed(
        lambda: evaluate(deal, load(tickets_file), period, NOW), max(2, runs // 2)
    )
    traced_ours = traced_peak(lambda: evaluate(deal, tickets, period, NOW))
    traced_ref = traced_peak(lambda: reference_pass(tickets))
    events = tickets.timelines.at.size
    load1, load5, _ = os.getloadavg()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"{when}  load average {load1:.2f} (1 min) {load5:.2f} (5 min)  cores {os.cpu_count()}")
    print(f"tickets {n:,}  events {events:,}  targets {len(deal.targets)}  runs {len(ours)}")
    assert result is not None
    for r in result.targets:
        c = r.compliance
        print(f"  {r.target.id:16s} met {c.met:>8,} breached {c.breached:>8,} open {c.open:>6,}")
    print(f"first call (1,000 tickets: calendars, kernel {kernel_origin()}): {first_call:.3f} s")
    print(f"evaluate (tickets in memory): median {median:.3f} s  best {best:.3f} s")
    print(f"NumPy searchsorted pass (1 thread): median {median_ref:.3f} s  best {best_ref:.3f} s")
    print(
        f"servicelevel ÷ NumPy pass: median {median / median_ref:.2f}  best {best / best_ref:.2f}"
    )
    print(f"load .npz + evaluate:          median {median_io:.3f} s  best {best_io:.3f} s")
    mib = 2**20
    print(
        f"peak memory above the loaded data: servicelevel RSS {rss_ours / mib:.0f} MiB, "
        f"tracemalloc {traced_ours / mib:.0f} MiB; NumPy pass RSS {rss_ref / mib:.0f} MiB, "
        f"tracemalloc {traced_ref / mib:.0f} MiB"
    )
    return {"best": best, "median": median, "per_ticket": median / n}


Peer = tuple[Callable[[int, int], int], Callable[[int, int], int]]  # elapsed, add


def ny_sample(tickets: TicketSet, size: int) -> np.ndarray:
    """Indices of ``size`` New York tickets."""
    region = tickets.attributes["region"]
    return np.flatnonzero(region.isin(frozenset({"us"})))[:size]


def peer_clocks(
    tickets: TicketSet, rows: np.ndarray, peer: Peer
) -> list[tuple[int, int, int, int]]:
    """Both targets of every sample ticket with a peer's elapsed and add: used time and
    deadline (crossing instant, or for a clock within budget, projected from its stop)."""
    elapsed, add = peer
    tl = tickets.timelines
    out = []
    for t in rows.tolist():
        lo, hi = int(tl.offsets[t]), int(tl.offsets[t + 1])
        at, state = tl.at[lo:hi].tolist(), tl.state[lo:hi].tolist()
        response = [(at[0], at[1])]  # created → responded
        resolution = [(at[k], at[k + 1]) for k in range(len(at) - 1) if state[k] in (0, 1)]
        out.append(
            (*_clock(response, 30 * 60, elapsed, add), *_clock(resolution, BUDGET, elapsed, add))
        )
    return out


def _clock(
    spans: list[tuple[int, int]],
    budget: int,
    elapsed: Callable[[int, int], int],
    add: Callable[[int, int], int],
) -> tuple[int, int]:
    used, due = 0, None
    for a, b in spans:
        spent = elapsed(a, b)
        if due is None and used + spent > budget:
            due = add(a, budget - used)
        used += spent
    return used, due if due is not None else add(spans[-1][1], budget - used)


def our_clocks(rows: np.ndarray, measured: dict[str, Any]) -> list[tuple[int, int, int, int]]:
    pos = {t: i for i, t in enumerate(measured["us-response"][0].tolist())}
    resp, reso = measured["us-response"][1], measured["us-resolution"][1]
    return [
        (
            int(resp.used[pos[t]]),
            int(resp.deadline[pos[t]]),
            int(reso.used[pos[t]]),
            int(reso.deadline[pos[t]]),
        )
        for t in rows.tolist()
    ]


def _us_holidays() -> list[dt.date]:
    spec = calendars()["us"].spec
    return sorted(spec.holidays.days_off(2024, 2027)) if spec.holidays else []


def loop_peer() -> Peer:
    ref = RefCalendar(
        timezone="America/New_York",
        week=[[(8 * 3600, 17 * 3600)]] * 5 + [[], []],
        holidays=set(_us_holidays()),
    )

    def utc(x: int) -> dt.datetime:
        return dt.datetime.fromtimestamp(x, dt.UTC)

    def elapsed(a: int, b: int) -> int:
        return ref_elapsed(ref, utc(a), utc(b))

    def add(a: int, seconds: int) -> int:
        return int(ref_deadline(ref, utc(a), seconds).timestamp())

    return elapsed, add


def businesstimedelta_peer() -> Peer:
    import businesstimedelta as btd
    import pytz

    tz = pytz.timezone("America/New_York")
    rules = btd.Rules(
        [
            btd.WorkDayRule(start_time=dt.time(8), end_time=dt.time(17), tz=tz),
            btd.HolidayRule(_us_holidays(), tz=tz),
        ]
    )

    def elapsed(a: int, b: int) -> int:
        d = rules.difference(
            dt.datetime.fromtimestamp(a, dt.UTC), dt.datetime.fromtimestamp(b, dt.UTC)
        )
        return int(d.hours * 3600 + d.seconds)

    def add(a: int, seconds: int) -> int:
        start = dt.datetime.fromtimestamp(a, dt.UTC)
        end = start + btd.BusinessTimeDelta(rules, hours=seconds // 3600, seconds=seconds % 3600)
        if end.astimezone(tz).time() == dt.time(17):
            # it stops at the close; by our rule a budget used up there is due at the opening
            end = end + btd.BusinessTimeDelta(rules, seconds=1) - dt.timedelta(seconds=1)
        return int(end.timestamp())

    return elapsed, add


def pandas_deadlines(tickets: TicketSet, rows: np.ndarray) -> tuple[list[int], list[int]]:
    """pandas offsets add whole business hours and cannot measure elapsed time, so they do the
    part they can: the 8-hour deadline from each ticket's creation."""
    import pandas as pd

    hour = pd.offsets.CustomBusinessHour(start="08:00", end="17:00", holidays=_us_holidays())
    created = tickets.timelines.at[tickets.timelines.offsets[rows]]
    out = []
    for a in created.tolist():
        local = pd.Timestamp(a, unit="s", tz="UTC").tz_convert(NY).tz_localize(None)
        out.append(int((local + hour * 8).tz_localize(NY).timestamp()))
    ours = calendars()["us"].deadline(created, np.full(created.size, BUDGET))
    return out, ours.tolist()


def peers(tickets: TicketSet, sample: int, per_ticket: float) -> None:
    rows = ny_sample(tickets, sample)
    ours = our_clocks(rows, measure(agreement(), tickets, NOW))
    n = rows.size
    print(f"\npeers on {n:,} New York tickets: both targets' used time and deadline per ticket")
    print(f"servicelevel, full evaluation per ticket (with warnings): {per_ticket * 1e6:.3f} µs")
    for name, peer in (
        ("day-stepping loop", loop_peer()),
        ("businesstimedelta", businesstimedelta_peer()),
    ):
        t, _, got = timed(lambda peer=peer: peer_clocks(tickets, rows, peer), 1)  # type: ignore[misc]
        wrong = sum(g != o for g, o in zip(got, ours, strict=True))
        same = "identical" if not wrong else f"DIFFERENT on {wrong} tickets"
        print(f"  {name:28s} {t / n * 1e6:10.1f} µs/ticket  ×{t / n / per_ticket:>9,.0f}  {same}")
    t, _, (got_due, our_due) = timed(lambda: pandas_deadlines(tickets, rows), 1)
    same = "identical" if got_due == our_due else "DIFFERENT"
    # pandas does one deadline per ticket: compare with the engine doing just that, for all
    created = tickets.timelines.at[tickets.timelines.offsets[:-1]]
    us = calendars()["us"]
    us.deadline(created[:10], np.full(10, BUDGET))
    ours_each = timed(lambda: us.deadline(created, np.full(created.size, BUDGET)), 3)[0]
    ours_each /= created.size
    print(
        f"  {'pandas CustomBusinessHour':28s} {t / n * 1e6:10.1f} µs/ticket  "
        f"×{t / n / ours_each:>9,.0f}  {same} — the 8 h deadline from creation only, compared"
        f" with the engine's {ours_each * 1e9:.0f} ns per deadline over {created.size:,}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sample", type=int, default=1000)
    parser.add_argument("--file", type=Path, default=ROOT / "benchmarks" / "data" / "tickets.npz")
    args = parser.parse_args()
    path = args.file.with_name(f"{args.file.stem}-{args.tickets}.npz")
    figures = full_evaluation(path, args.tickets, args.runs)
    peers(load(path), args.sample, figures["per_ticket"])
    print(
        "\nNot expressible in the peers: China's adjusted working days (调休) — "
        "businesstimedelta and pandas know only days off, not extra working days."
    )


if __name__ == "__main__":
    main()
