"""Compare the engine's full evaluation with a dump of an earlier engine's, element by element.

A change to the engine that must not change its results (a faster implementation, say) is
checked on the benchmark's tickets, beyond what the tests' random cases reach: dump the
results with the old code, then compare with the new.

    # with the old code (e.g. a git worktree of the commit before the change on PYTHONPATH):
    PYTHONPATH=/tmp/wt/src python benchmarks/compare_engine.py --dump /tmp/before.npz
    # with the new code:
    python benchmarks/compare_engine.py --before /tmp/before.npz

Everything :func:`servicelevel.engine.evaluation.evaluate` gives per target is compared: the
tickets measured, every clock's status, budget, used and paused time, start, stop, deadline and
breach instants, warning crossings (whether and when), the period mask and the compliance
figures (counts, percentage within target, percentiles, mean used time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.agreement import agreement  # noqa: E402
from benchmarks.synthetic import load, make_tickets, save  # noqa: E402
from servicelevel.engine.evaluation import AgreementResult, evaluate  # noqa: E402
from servicelevel.engine.periods import year  # noqa: E402

NOW = int(dt.datetime(2026, 1, 15, tzinfo=dt.UTC).timestamp())
FIELDS = (
    "status",
    "budget",
    "used",
    "paused",
    "started_at",
    "stopped_at",
    "deadline",
    "breached_at",
    "crossed",
    "crossing_at",
)


def flatten(result: AgreementResult) -> dict[str, np.ndarray]:
    """Every figure of ``result`` as named arrays."""
    out: dict[str, np.ndarray] = {}
    for r in result.targets:
        key = r.target.id
        out[f"{key}/tickets"] = np.asarray(r.tickets)
        out[f"{key}/in_period"] = np.asarray(r.in_period)
        for name in FIELDS:
            out[f"{key}/{name}"] = np.asarray(getattr(r.measurements, name))
        c = r.compliance
        values = [c.met, c.breached, c.open, c.cancelled, c.pending, c.within, c.objective_met]
        values += [c.mean_used, c.excluded]
        values += [c.percentiles.get(p) for p in (50.0, 90.0, 95.0)]
        out[f"{key}/compliance"] = np.array(
            [math.nan if v is None else float(v) for v in values], dtype=np.float64
        )
    return out


def compare(before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> list[str]:
    """What differs, one line per array (empty when everything is identical)."""
    problems = [f"{k}: only in the dump" for k in sorted(before.keys() - after.keys())]
    problems += [f"{k}: only in this run" for k in sorted(after.keys() - before.keys())]
    for key in sorted(before.keys() & after.keys()):
        a, b = before[key], after[key]
        narrowed = a.dtype.kind == b.dtype.kind == "i" and b.dtype.itemsize < a.dtype.itemsize
        if a.shape != b.shape or (a.dtype != b.dtype and not narrowed):
            problems.append(f"{key}: {a.dtype}{a.shape} before, {b.dtype}{b.shape} now")
        elif key.endswith("/compliance"):
            if not np.array_equal(a, b, equal_nan=True):
                problems.append(f"{key}: {a.tolist()} before, {b.tolist()} now")
        elif not np.array_equal(a, b):
            diff = np.flatnonzero((a != b).reshape(a.shape[0], -1).any(axis=1))
            problems.append(f"{key}: {diff.size:,} rows differ, first at row {int(diff[0])}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--file", type=Path, default=ROOT / "benchmarks" / "data" / "tickets.npz")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--dump", type=Path, help="write this engine's results here")
    action.add_argument("--before", type=Path, help="compare this engine's results with a dump")
    args = parser.parse_args()
    path = args.file.with_name(f"{args.file.stem}-{args.tickets}.npz")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        save(make_tickets(args.tickets), path)
    tickets = load(path)
    result = flatten(evaluate(agreement(), tickets, year(2025, "UTC"), NOW))
    measured = sum(v.size for k, v in result.items() if k.endswith("/status"))
    if args.dump:
        np.savez(args.dump, **result)  # type: ignore[arg-type]
        print(f"wrote {len(result)} arrays ({measured:,} clocks) to {args.dump}")
        return
    with np.load(args.before) as z:
        before = {k: z[k] for k in z.files}
    problems = compare(before, result)
    for line in problems:
        print(line)
    for key in sorted(before.keys() & result.keys()):
        if before[key].dtype != result[key].dtype and f"{key}:" not in " ".join(problems):
            print(f"{key}: the same values, kept as {result[key].dtype} (was {before[key].dtype})")
    print(
        f"{len(before)} arrays, {measured:,} clocks of {len(tickets):,} tickets: "
        + ("identical" if not problems else f"{len(problems)} arrays DIFFER")
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
