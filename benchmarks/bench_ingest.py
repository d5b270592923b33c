"""Sustained event ingestion over HTTP: `POST /api/v1/ticket-events` under wrk, on PostgreSQL
(and SQLite for comparison), uvicorn with 2 workers on loopback.

Run with ``make bench-ingest`` (needs `wrk` and the local PostgreSQL). For each database:
migrate a fresh one, load the demo (so events land on a service covered by an SLA in force and
queue its recomputation, as in production), start the server, then run wrk twice with a Lua
script that makes every request carry new events:

* **single**: one event per request (32 connections) — each a state change of one of 2,000
  tickets per wrk thread, at a later instant each time (tickets are created, then updated);
* **queued**: the same single events to ``/ticket-events/queue`` (accepted at once, stored by
  the worker); then the worker's drain of what is waiting is timed;
* **batch**: 500 events per request (4 connections) across 100 new tickets.

Targets (issue 5): ≥ 2,000 events/s in batches; ≥ 500 single events/s with p99 < 100 ms on
PostgreSQL. Results are printed; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import PG_ADMIN, free_port, serve, temporary_postgres  # noqa: E402
from servicelevel.db.repositories import monitoring as monitoring_repo  # noqa: E402
from servicelevel.db.session import make_engine, session_factory  # noqa: E402
from servicelevel.jobs import worker  # noqa: E402
from servicelevel.services import identity  # noqa: E402
from servicelevel.services.database import upgrade_database  # noqa: E402
from servicelevel.services.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from servicelevel.services.uow import unit_of_work  # noqa: E402

LUA = """
local counter = 0
local thread_id = 0
local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  thread_id = tonumber(tid)
  per_request = tonumber(args[1])
end
local states = {"New", "In Progress", "Awaiting Customer", "In Progress", "Resolved"}
function event(n)
  local ticket = string.format("B%d-%d", thread_id, n %% TICKETS)
  local seq = math.floor(n / TICKETS)
  local seconds = 1600000000 + thread_id * 10000000 + n
  return string.format(
    '{"ticket":"%%s","at":"%%s","state":"%%s","service":"email","customer":"CONTOSO","priority":"P2"}',
    ticket, os.date("!%%Y-%%m-%%dT%%H:%%M:%%SZ", seconds), states[(seq %% #states) + 1])
end
function request()
  local events = {}
  for i = 1, per_request do
    counter = counter + 1
    events[i] = event(counter)
  end
  local body = '{"source":"bench","events":[' .. table.concat(events, ",") .. ']}'
  return wrk.format("POST", "PATH", nil, body)
end
"""


def seed(url: str) -> str:
    upgrade_database(url)
    with unit_of_work(url) as db:
        load_demo(db)
        actor = identity.authenticate(db, username="admin", password=DEMO_PASSWORD)
        return identity.issue_token(db, actor=actor, name="bench")


LOADS = (
    ("single", 1, 32, 2000, "/api/v1/ticket-events"),
    ("queued", 1, 32, 2000, "/api/v1/ticket-events/queue"),
    ("batch", 500, 4, 100000, "/api/v1/ticket-events"),
)


def run(name: str, url: str, seconds: int, only: str = "") -> None:
    token = seed(url)
    with tempfile.TemporaryDirectory() as tmp, serve(url, free_port()) as base:
        for label, per_request, connections, tickets, path in LOADS:
            if only and label != only:
                continue
            script = Path(tmp) / f"{label}.lua"
            lua = LUA.replace("%%", "%").replace("TICKETS", str(tickets)).replace("PATH", path)
            script.write_text(lua.replace("B%d-%d", f"{label[0].upper()}%d-%d"))
            r = wrk_post(base, token, seconds, connections, script, per_request)
            rps = float(r["rps"]) if r["rps"] != "?" else 0.0
            print(
                f"{name:10s} {label:6s} {rps:9.1f} req/s = {rps * per_request:9.0f} events/s  "
                f"p50 {r['p50']:>8s}  p90 {r['p90']:>8s}  p99 {r['p99']:>8s}  "
                f"non-2xx {r['non-2xx']}",
                flush=True,
            )
            if label == "queued":
                drain(url)


def drain(url: str) -> None:
    """Store what the queued load left waiting, as the worker does, and time it."""
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        waiting = monitoring_repo.inbox_waiting(session)
    started = time.perf_counter()
    done = worker.drain_inbox(sessions)
    took = time.perf_counter() - started
    print(
        f"           drained {waiting:,} queued requests in {took:.1f} s "
        f"({waiting / took:,.0f} events/s): {done}",
        flush=True,
    )


def wrk_post(
    base: str, token: str, seconds: int, connections: int, script: Path, per_request: int
) -> dict[str, str]:
    from benchmarks.bench_api import wrk

    return wrk(
        base + "/api/v1/ticket-events",
        token,
        seconds,
        connections=connections,
        extra=["-s", str(script), "--", str(per_request)],
        headers=["Content-Type: application/json"],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--sqlite", action="store_true", help="also on SQLite")
    parser.add_argument("--only", choices=("single", "queued", "batch"), default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SLM_SECRET_FILE"] = str(Path(tmp) / "secret")
        with temporary_postgres(PG_ADMIN) as url:
            run("postgresql", url, args.seconds, args.only)
        if args.sqlite:
            run("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.seconds, args.only)


if __name__ == "__main__":
    main()
