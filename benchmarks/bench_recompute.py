"""Full recomputation of 1,000,000 stored tickets from PostgreSQL, reading the tickets and
their events and writing the measurements (target: within 60 s; issue 5).

Run with ``make bench-recompute``. Sets up a fresh PostgreSQL database with the demo's
agreements (Contoso's SLA in force from 1 January: P1 response 15 min, P1 resolution 4 h,
P2 resolution 8 business hours, with warnings), then COPYs in a million synthetic tickets of
its e-mail service opened this year (``benchmarks/synthetic.py``: created → responded → 0–3
waits for the customer → resolved; 40 % P1, 60 % P2) — about six million events — and times
``slm recompute --now``'s work: ``recompute.recompute`` in one transaction, phase by phase.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import PG_ADMIN, temporary_postgres  # noqa: E402
from benchmarks.synthetic import EVENTS, STATES, make_tickets  # noqa: E402
from servicelevel.db.repositories import agreements as agreement_repo  # noqa: E402
from servicelevel.db.repositories import parties as party_repo  # noqa: E402
from servicelevel.db.session import make_engine, session_factory  # noqa: E402
from servicelevel.demo.loader import load_demo  # noqa: E402
from servicelevel.services.monitoring import recompute  # noqa: E402
from servicelevel.services.shared.database import upgrade_database  # noqa: E402
from servicelevel.services.shared.uow import unit_of_work  # noqa: E402

TICKET_COLUMNS = (
    "id, source, external_id, service, customer_id, priority, category, state, title, "
    "opened_at, last_event_at, attributes, version, created_at, updated_at"
)
EVENT_COLUMNS = "ticket_id, seq, at, state, event, changes"


def seed(url: str, n: int, year: int) -> int:
    """The demo's agreements, then ``n`` tickets by COPY; returns the SLA's id."""
    upgrade_database(url)
    with unit_of_work(url) as db:
        load_demo(db, with_tickets=False)
        customer = party_repo.party_by_code(db, "CONTOSO")
        sla = agreement_repo.agreement_by_code(db, f"SLA-CONTOSO-{year}")
        assert customer is not None
        assert sla is not None
        customer_id, sla_id = customer.id, sla.id
    tickets = make_tickets(n)
    tl = tickets.timelines
    shift = int(dt.datetime(year, 1, 1, tzinfo=dt.UTC).timestamp()) - int(tl.at.min())
    at = tl.at + shift
    priority = np.where(np.random.default_rng(3).random(n) < 0.4, "P1", "P2")
    started = time.perf_counter()
    engine = make_engine(url)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        _copy_tickets(cursor, tl.offsets, at, tl.state, priority, customer_id)
        _copy_events(cursor, tl.offsets, at, tl.state, tl.event)
        cursor.execute("SELECT setval('ticket_id_seq', (SELECT max(id) FROM ticket))")
        cursor.execute("ANALYZE ticket")
        cursor.execute("ANALYZE ticket_event")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    print(f"loaded {n:,} tickets, {tl.at.size:,} events in {time.perf_counter() - started:.1f} s")
    return sla_id


def _instant(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, dt.UTC)


def _copy_tickets(cursor, offsets, at, state, priority, customer_id) -> None:  # type: ignore[no-untyped-def]
    now = dt.datetime.now(dt.UTC)
    first, last = offsets[:-1], offsets[1:] - 1
    with cursor.copy(f"COPY ticket ({TICKET_COLUMNS}) FROM STDIN") as copy:
        for i in range(first.size):
            copy.write_row(
                (
                    i + 1_000_000,
                    "bench",
                    f"B{i}",
                    "email",
                    customer_id,
                    str(priority[i]),
                    "",
                    STATES[int(state[last[i]])],
                    "",
                    _instant(int(at[first[i]])),
                    _instant(int(at[last[i]])),
                    "{}",
                    1,
                    now,
                    now,
                )
            )


def _copy_events(cursor, offsets, at, state, event) -> None:  # type: ignore[no-untyped-def]
    counts = np.diff(offsets)
    ticket = np.repeat(np.arange(counts.size), counts) + 1_000_000
    seq = np.arange(at.size) - np.repeat(offsets[:-1], counts)
    names = [*EVENTS, ""]
    with cursor.copy(f"COPY ticket_event ({EVENT_COLUMNS}) FROM STDIN") as copy:
        for i in range(at.size):
            copy.write_row(
                (
                    int(ticket[i]),
                    int(seq[i]),
                    _instant(int(at[i])),
                    STATES[int(state[i])],
                    names[int(event[i])],
                    "{}",
                )
            )


PHASES: dict[str, float] = {}


def timed(module: object, name: str, label: str) -> None:
    """Wrap ``module.name`` to add its wall time to PHASES[label]."""
    original = getattr(module, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            PHASES[label] = PHASES.get(label, 0.0) + time.perf_counter() - started

    setattr(module, name, wrapper)


def instrument() -> None:
    from servicelevel.db.repositories.monitoring import alerts as alert_repo
    from servicelevel.db.repositories.monitoring import measurements as measurement_repo
    from servicelevel.services.monitoring import breaches, stored_tickets

    timed(stored_tickets, "load", "read tickets and events")
    timed(recompute, "measure", "evaluate (engine)")
    timed(measurement_repo, "replace", "write measurements")
    timed(breaches, "sync_tickets", "breaches")
    timed(alert_repo, "replace_unfired", "alerts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the second run")
    parser.add_argument(
        "--database",
        metavar="URL",
        help="reuse this database seeded by an earlier --keep run (its measurements, breaches "
        "and alerts are cleared first, so the first run is a first computation again)",
    )
    parser.add_argument(
        "--keep", action="store_true", help="seed a database and keep it; prints its URL"
    )
    args = parser.parse_args()
    year = dt.datetime.now(dt.UTC).year
    os.environ.setdefault("SLM_SECRET_FILE", "/tmp/slm-bench-secret")
    instrument()
    if args.database:
        run(args.database, reuse(args.database, year), args.profile)
    elif args.keep:
        url = kept_postgres(PG_ADMIN)
        print(f"database kept: {url}", flush=True)
        run(url, seed(url, args.tickets, year), args.profile)
    else:
        with temporary_postgres(PG_ADMIN) as url:
            run(url, seed(url, args.tickets, year), args.profile)


def kept_postgres(admin_url: str) -> str:
    """A fresh PostgreSQL database that outlives the run (drop it by hand)."""
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"slm_bench_keep_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def reuse(url: str, year: int) -> int:
    """The SLA's id in a database seeded before, with its derived rows cleared."""
    with unit_of_work(url) as db:
        sla = agreement_repo.agreement_by_code(db, f"SLA-CONTOSO-{year}")
        assert sla is not None
        for table in ("measurement", "breach", "clock_alert"):
            db.execute(text(f"DELETE FROM {table} WHERE agreement_id = :a"), {"a": sla.id})
        n = db.execute(text("SELECT count(*) FROM ticket")).scalar_one()
        sla_id = int(sla.id)
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:  # as fresh as a first run: no dead rows left in the way
        conn.execute(text("VACUUM FULL ANALYZE measurement, breach, clock_alert"))
    engine.dispose()
    print(f"reusing {n:,} tickets", flush=True)
    return sla_id


def run(url: str, sla_id: int, profiled: bool) -> None:
    """Two recomputations (the first computation, then one over unchanged data), timed."""
    engine = make_engine(url)
    sessions = session_factory(engine)
    for attempt in (1, 2):
        profile = cProfile.Profile() if profiled and attempt == 2 else None
        with sessions() as session:
            started = time.perf_counter()
            if profile is not None:
                profile.enable()
            PHASES.clear()
            result = recompute.recompute(session, agreement_id=sla_id)
            commit = time.perf_counter()
            session.commit()
            PHASES["commit"] = time.perf_counter() - commit
            took = time.perf_counter() - started
            if profile is not None:
                profile.disable()
                pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        print(
            f"run {attempt}: {result['measurements']:,} measurements, "
            f"{json.dumps(result['by_status'])}, alerts {result['alerts_scheduled']}, "
            f"breaches {json.dumps(result['breaches'])} in {took:.1f} s",
            flush=True,
        )
        print("    " + ", ".join(f"{k} {v:.1f} s" for k, v in PHASES.items()), flush=True)
        if attempt == 1:  # what autovacuum does soon after a million inserts
            with engine.connect() as conn:
                conn.execute(text("ANALYZE measurement, breach, clock_alert"))
                conn.commit()
    engine.dispose()


if __name__ == "__main__":
    main()
