"""A monthly service report for an agreement covering 100,000 tickets: the web page (HTML), the
PDF and the XLSX, timed phase by phase with the SQL statements each issues (issue 17 targets:
page under 1 s, PDF under 2 s on PostgreSQL).

Run with ``make bench-report``. Seeds PostgreSQL like ``bench_recompute`` (the demo's SLA in
force, synthetic tickets by COPY) and computes the measurements (as the worker keeps them),
then renders the report for the busiest month: first once each, cold (the first render in the
process), then ``--runs`` warm rounds in which page, PDF and XLSX alternate, each in a session
of its own as a web request has. It prints the cold time and the median (and best) of the warm
runs of each phase, with the number of SQL statements and the time spent waiting for them.

Phases: ``figures`` (the page's figures model: counted by the database in one statement over
the period's rows, the first breaches listed; trends, outages), ``page`` (figures plus the
HTML), ``pdf`` (the page plus WeasyPrint; WeasyPrint's share is printed on its own), ``xlsx``
(the figures with every breach, plus the workbook) and, with ``--phases``, ``evaluation`` (the
engine's figures from every stored measurement of the period, as the report read them before
issue 17).

``--keep NAME`` seeds a database of that name once and keeps it, so that later runs (before
and after a change, alternately) skip the minutes of seeding; ``--profile`` prints a cProfile
of one page render.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event, text  # noqa: E402

from benchmarks.bench_api import PG_ADMIN, temporary_postgres  # noqa: E402
from benchmarks.bench_recompute import seed  # noqa: E402
from servicelevel.db.repositories import bulk  # noqa: E402
from servicelevel.db.session import make_engine, session_factory  # noqa: E402
from servicelevel.reports.pdf import pdf_of  # noqa: E402
from servicelevel.reports.spreadsheets import report_file  # noqa: E402
from servicelevel.services.identity.permissions import SYSTEM  # noqa: E402
from servicelevel.services.monitoring import recompute, stored_measurements  # noqa: E402
from servicelevel.services.reporting import compute as service_reports  # noqa: E402
from servicelevel.services.reporting import page as report_page  # noqa: E402
from servicelevel.services.reporting import rendering as report_rendering  # noqa: E402


@dataclass
class Statements:
    """SQL statements issued on an engine and the time spent waiting for them (execute to
    return of the driver's call, which for psycopg includes fetching the rows)."""

    count: int = 0
    waiting: float = 0.0
    _started: list[float] = field(default_factory=list)

    def watch(self, engine: Engine) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)
        # bulk reads go through the driver's cursor, unseen by SQLAlchemy's events: counted
        # here (their time includes turning rows into columns)
        read_columns = bulk.read_columns

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._before()
            try:
                return read_columns(*args, **kwargs)
            finally:
                self._after()

        bulk.read_columns = counted

    def _before(self, *_: Any) -> None:
        self.count += 1
        self._started.append(time.perf_counter())

    def _after(self, *_: Any) -> None:
        if self._started:
            self.waiting += time.perf_counter() - self._started.pop()


@dataclass
class Run:
    seconds: float
    cpu: float  # this process's CPU time: steadier than wall time on a shared machine
    queries: int
    waiting: float
    parts: dict[str, float] = field(default_factory=dict)


@dataclass
class Phase:
    name: str
    cold: Run | None = None
    warm: list[Run] = field(default_factory=list)

    def line(self) -> str:
        assert self.cold is not None
        w = self.warm
        median = statistics.median(r.seconds for r in w) if w else float("nan")
        best = min((r.seconds for r in w), default=float("nan"))
        queries = statistics.median(r.queries for r in w) if w else self.cold.queries
        waiting = statistics.median(r.waiting for r in w) if w else self.cold.waiting
        cpu = statistics.median(r.cpu for r in w) if w else self.cold.cpu
        text_ = (
            f"{self.name:10s} cold {self.cold.seconds:5.2f} s   warm median {median:5.2f} s "
            f"(best {best:5.2f}, n={len(w)}, CPU {cpu:5.2f} s)   {queries:3.0f} queries, "
            f"{waiting:5.2f} s waiting"
        )
        for part in self.cold.parts:
            values = [r.parts[part] for r in w] or [self.cold.parts[part]]
            text_ += f"\n{'':10s}   {part}: median {statistics.median(values):5.2f} s"
        return text_


@contextmanager
def database(keep: str | None, tickets: int, year: int) -> Iterator[tuple[str, int]]:
    """``(url, SLA id)`` of a seeded database: a temporary one, or the kept one ``keep``
    (seeded on first use)."""
    if keep is None:
        with temporary_postgres(PG_ADMIN) as url:
            yield url, _seeded(url, tickets, year)
        return
    admin = make_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": keep}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{keep}"'))
    admin.dispose()
    url = PG_ADMIN.rsplit("/", 1)[0] + f"/{keep}"
    if exists:
        engine = make_engine(url)
        with engine.connect() as conn:
            sla_id = conn.execute(
                text("SELECT id FROM agreement WHERE code = :c"), {"c": f"SLA-CONTOSO-{year}"}
            ).scalar_one()
        engine.dispose()
        print(f"reusing database {keep}")
        yield url, sla_id
    else:
        yield url, _seeded(url, tickets, year)


def _seeded(url: str, tickets: int, year: int) -> int:
    sla_id = seed(url, tickets, year)
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        started = time.perf_counter()
        recompute.recompute(session, agreement_id=sla_id)
        session.commit()
        print(f"measurements computed in {time.perf_counter() - started:.1f} s")
    # as autovacuum would have by the time a month is reported on (the test server runs with
    # autovacuum off): planner statistics, and the visibility map for index-only scans
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        for table in ("measurement", "breach", "ticket"):
            conn.execute(text(f"VACUUM ANALYZE {table}"))
    engine.dispose()
    return sla_id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_200_000)
    parser.add_argument("--runs", type=int, default=5, help="warm runs of each phase")
    parser.add_argument("--keep", metavar="NAME", help="seed this database once and keep it")
    parser.add_argument(
        "--phases", default="figures,page,pdf,xlsx", help="which to time (comma-separated)"
    )
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    year = dt.datetime.now(dt.UTC).year
    os.environ.setdefault("SLM_SECRET_FILE", "/tmp/slm-bench-secret")
    with database(args.keep, args.tickets, year) as (url, sla_id):
        engine = make_engine(url)
        statements = Statements()
        statements.watch(engine)
        sessions = session_factory(engine)
        period = f"{year}-03"
        with sessions() as session:
            assert stored_measurements.usable(session, sla_id)

        def measured(fn: Callable[[Any], dict[str, float]]) -> Run:
            before_count, before_wait = statements.count, statements.waiting
            started, cpu = time.perf_counter(), time.process_time()
            with sessions() as session:
                parts = fn(session)
            seconds = time.perf_counter() - started
            return Run(
                seconds,
                time.process_time() - cpu,
                statements.count - before_count,
                statements.waiting - before_wait,
                parts,
            )

        def evaluation(session: Any) -> dict[str, float]:
            found = service_reports.evaluation(
                session, actor=SYSTEM, agreement_id=sla_id, period=period, now=_now()
            )
            assert found.result.targets
            return {}

        def model(session: Any) -> service_reports.Model:
            return service_reports.report_model(
                session,
                actor=SYSTEM,
                agreement_id=sla_id,
                period=period,
                now=_now(),
                listed=report_page.LISTED,
            )

        def figures(session: Any) -> dict[str, float]:
            assert model(session).figures.targets
            return {}

        def html(session: Any) -> str:
            return report_rendering.render_report(
                session, actor=SYSTEM, agreement_id=sla_id, period=period
            )[1]

        def page(session: Any) -> dict[str, float]:
            html(session)
            return {}

        def pdf(session: Any) -> dict[str, float]:
            started = time.perf_counter()
            document = html(session)
            middle = time.perf_counter()
            assert pdf_of(document)[:4] == b"%PDF"
            return {"HTML": middle - started, "WeasyPrint": time.perf_counter() - middle}

        def xlsx(session: Any) -> dict[str, float]:
            sheet = report_file(
                session, actor=SYSTEM, agreement_id=sla_id, period=period, kind="xlsx"
            )
            assert sheet.content[:2] == b"PK"
            return {}

        steps = (
            ("evaluation", evaluation),
            ("figures", figures),
            ("page", page),
            ("pdf", pdf),
            ("xlsx", xlsx),
        )
        chosen = args.phases.split(",")
        phases = {name: (Phase(name), fn) for name, fn in steps if name in chosen}
        for phase, fn in phases.values():
            phase.cold = measured(fn)
        with sessions() as session:
            figs = model(session).figures.as_dict(first=report_page.LISTED)
            in_month = sum(
                t[k] for t in figs["targets"] for k in ("met", "breached", "open", "cancelled")
            )
            counts = figs["breach_counts"]
            print(
                f"{period}: {figs['agreement']['tickets']:,} tickets, {in_month:,} measurements "
                f"and {counts['counted'] + counts['excluded']:,} breaches in the month"
            )
            size = len(html(session))
        print(f"page {size:,} bytes")
        for _ in range(args.runs):
            for phase, fn in phases.values():
                phase.warm.append(measured(fn))
        for phase, _fn in phases.values():
            print(phase.line())
        if args.profile:
            profile = cProfile.Profile()
            with sessions() as session:
                profile.runcall(html, session)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        engine.dispose()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


if __name__ == "__main__":
    main()
