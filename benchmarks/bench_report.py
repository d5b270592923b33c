"""A monthly service report for an agreement covering 100,000 tickets: the web page (HTML) and
the PDF, timed (issue 6 targets: under 2 s and under 5 s).

Run with ``make bench-report``. Seeds PostgreSQL like ``bench_recompute`` (the demo's SLA in
force, synthetic tickets by COPY) and computes the measurements (as the worker keeps them),
then renders the report for the busiest month three times each and prints the best and median
times — reading the stored measurements, and (``--evaluate``) evaluating the tickets again.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import PG_ADMIN, temporary_postgres  # noqa: E402
from benchmarks.bench_recompute import seed  # noqa: E402
from servicelevel.db.session import make_engine, session_factory  # noqa: E402
from servicelevel.reports.pdf import pdf_of  # noqa: E402
from servicelevel.services import recompute, service_reports, stored_measurements  # noqa: E402
from servicelevel.services.permissions import SYSTEM  # noqa: E402


def timed(fn: object, runs: int = 3) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_200_000)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--evaluate", action="store_true", help="also time the report that evaluates tickets"
    )
    args = parser.parse_args()
    year = dt.datetime.now(dt.UTC).year
    os.environ.setdefault("SLM_SECRET_FILE", "/tmp/slm-bench-secret")
    with temporary_postgres(PG_ADMIN) as url:
        sla_id = seed(url, args.tickets, year)
        sessions = session_factory(make_engine(url))
        period = f"{year}-03"
        with sessions() as session:
            started = time.perf_counter()
            recompute.recompute(session, agreement_id=sla_id)
            session.commit()
            print(f"measurements computed in {time.perf_counter() - started:.1f} s")
            assert stored_measurements.usable(session, sla_id)
            found = service_reports.evaluation(
                session,
                actor=SYSTEM,
                agreement_id=sla_id,
                period=period,
                now=dt.datetime.now(dt.UTC),
            )
            in_month = sum(int(r.in_period.sum()) for r in found.result.targets)
            read = len(found.tickets)
            print(f"{period}: {read:,} tickets read, {in_month:,} measurements in the month")

            def html() -> str:
                return service_reports.render_report(
                    session, actor=SYSTEM, agreement_id=sla_id, period=period
                )[1]

            page = html()
            if args.profile:
                cProfile.runctx("html()", globals(), {"html": html}, sort="cumulative")
            web = timed(html)
            pdf = timed(lambda: pdf_of(html()))
            best, median = min(web), statistics.median(web)
            print(f"web page: best {best:.2f} s, median {median:.2f} s ({len(page):,} bytes)")
            print(f"PDF:      best {min(pdf):.2f} s, median {statistics.median(pdf):.2f} s")
            if args.evaluate:
                recompute.request(session, actor=SYSTEM, agreement_id=sla_id)  # not usable
                again = timed(html)
                print(f"web page, tickets evaluated: best {min(again):.2f} s")


if __name__ == "__main__":
    main()
