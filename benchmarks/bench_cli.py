"""Start-up time of the ``slm`` command, hyperfine-style: whole processes, many runs, medians.

Run with ``make bench-cli``. Each command runs as a fresh process of the venv's ``slm`` with this
environment, output discarded: ``slm --help``, ``slm calendar elapsed`` and ``slm calendar show``
on the Beijing example calendar, ``slm evaluate`` on the demo agreement, tickets and outages (as
``make demo-cli``), and ``python -c "import numpy, holidays"`` as the floor (what any command that
computes on a calendar has to import). One untimed run of each first (bytecode, compiled-kernel
caches), then ``--runs`` rounds, each command once per round, the order reversed every other
round so that a burst of load falls on all of them alike.

``--baseline SRC`` also times the same commands with ``PYTHONPATH=SRC`` (the ``src`` of another
checkout, e.g. a ``git worktree`` of an older commit), interleaved in the same rounds, and prints
the ratio: a before/after comparison on a shared machine is only fair when measured together.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
BIN = Path(sys.executable).parent


@dataclass
class Case:
    name: str
    argv: list[str]
    goal: float | None  # seconds (issue 17), or None for the floor
    pythonpath: str | None = None
    times: list[float] = field(default_factory=list)

    def run(self) -> float:
        env = dict(os.environ)
        if self.pythonpath is not None:
            env["PYTHONPATH"] = self.pythonpath
        began = time.perf_counter()
        done = subprocess.run(
            self.argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        took = time.perf_counter() - began
        if done.returncode != 0:
            raise SystemExit(f"{self.name} failed ({done.returncode}):\n{done.stderr.decode()}")
        return took


def cases(slm: str) -> list[Case]:
    calendar = str(EXAMPLES / "calendars" / "beijing-office.yaml")
    evaluate = [
        *("evaluate", "--agreement", str(EXAMPLES / "agreements" / "demo-sla.yaml")),
        *("--tickets", str(EXAMPLES / "tickets" / "demo-tickets.csv")),
        *("--outages", str(EXAMPLES / "outages" / "demo-outages.csv"), "--period", "2025-03"),
    ]
    return [
        Case("slm --help", [slm, "--help"], 0.3),
        Case(
            "slm calendar elapsed",
            [slm, "calendar", "elapsed", "-c", calendar, "2025-03-03T08:00", "2025-03-10T08:00"],
            0.5,
        ),
        Case(
            "slm calendar show",
            [slm, "calendar", "show", "-c", calendar, "--year", "2025", "--month", "10"],
            0.5,
        ),
        Case("slm evaluate (demo)", [slm, *evaluate], 0.5),
        Case("import numpy, holidays", [sys.executable, "-c", "import numpy, holidays"], None),
    ]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def measure(all_cases: list[Case], runs: int) -> None:
    for case in all_cases:
        case.run()  # untimed: writes bytecode and kernel caches, warms the page cache
    for round_ in range(runs):
        for case in all_cases if round_ % 2 == 0 else all_cases[::-1]:
            case.times.append(case.run())


def report(current: list[Case], baseline: list[Case], floor: Case) -> None:
    head = f"{'command':<24} {'median':>8} {'best':>8} {'÷ floor':>8} {'goal':>6}"
    print(head + ("  baseline median  best   ÷ now" if baseline else ""))
    for i, case in enumerate(current):
        median, best = statistics.median(case.times), min(case.times)
        goal = f"{case.goal:.1f}" if case.goal else "—"
        ratio = median / statistics.median(floor.times)
        line = f"{case.name:<24} {median:8.3f} {best:8.3f} {ratio:7.1f}× {goal:>6}"
        if i < len(baseline):
            old = baseline[i].times
            line += (
                f"  {statistics.median(old):15.3f} {min(old):5.3f}"
                f" {statistics.median(old) / median:6.1f}×"
            )
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command (≥ 10)")
    parser.add_argument("--slm", default=str(BIN / "slm"), help="the slm console script")
    parser.add_argument("--baseline", default="", help="PYTHONPATH of a checkout to compare with")
    args = parser.parse_args()
    current = cases(args.slm)
    floor = current[-1]
    baseline = [] if not args.baseline else cases(args.slm)[:-1]
    for case in baseline:
        case.pythonpath = args.baseline
    started = dt.datetime.now(dt.UTC)
    print(
        f"slm start-up, {started:%Y-%m-%d %H:%M} UTC, {args.runs} runs each, {os.cpu_count()} CPUs"
    )
    print(f"python {sys.version.split()[0]}; load average before: {load()}")
    if args.baseline:
        print(f"baseline: PYTHONPATH={args.baseline}")
    measure([c for i, case in enumerate(current) for c in (case, *baseline[i : i + 1])], args.runs)
    print(f"load average after: {load()} ({(dt.datetime.now(dt.UTC) - started).seconds} s)\n")
    report(current, baseline, floor)


if __name__ == "__main__":
    main()
