"""Sustained event ingestion over HTTP: `POST /api/v1/ticket-events` under wrk, on PostgreSQL
(and SQLite for comparison), uvicorn with 2 workers on loopback.

Run with ``make bench-ingest`` (needs `wrk` and the local PostgreSQL). For each database:
migrate a fresh one, load the demo (so events land on a service covered by an SLA in force and
queue its recomputation, as in production), start the server, then run wrk twice with a Lua
script that makes every request carry new events:

* **single**: one event per request (32 connections) — each a state change of one of 2,000
  tickets per wrk thread, at a later instant each time (tickets are created, then updated);
* **queued**: the same single events to ``/ticket-events/queue`` (accepted at once, stored by
  an ``slm worker`` running alongside, as in production); how long the worker takes to catch
  up after the load stops is printed;
* **single@500**, **queued@500**: the same at about the target rate — 10 connections, each
  pausing 8 ms after every answer — for the latency at 500 events/s rather than at saturation;
* **batch**: 500 events per request (4 connections) across 100 new tickets.

Targets (issue 5): ≥ 2,000 events/s in batches; ≥ 500 single events/s with p99 < 100 ms on
PostgreSQL. Results are printed; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import PG_ADMIN, free_port, serve, temporary_postgres  # noqa: E402
from servicelevel.db.models import EventInbox  # noqa: E402
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo  # noqa: E402
from servicelevel.db.session import make_engine, session_factory  # noqa: E402
from servicelevel.demo.loader import DEMO_PASSWORD, load_demo  # noqa: E402
from servicelevel.services.identity import accounts as identity  # noqa: E402
from servicelevel.services.shared.database import upgrade_database  # noqa: E402
from servicelevel.services.shared.uow import unit_of_work  # noqa: E402

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


# label, events per request, connections, tickets, path, pause after each answer (ms; 0: none)
LOADS = (
    ("single", 1, 32, 2000, "/api/v1/ticket-events", 0),
    ("single@500", 1, 10, 2000, "/api/v1/ticket-events", 8),
    ("queued", 1, 32, 2000, "/api/v1/ticket-events/queue", 0),
    ("queued@500", 1, 10, 2000, "/api/v1/ticket-events/queue", 8),
    ("batch", 500, 4, 100000, "/api/v1/ticket-events", 0),
)


def run(name: str, url: str, seconds: int, only: str = "") -> None:
    token = seed(url)
    with tempfile.TemporaryDirectory() as tmp, serve(url, free_port()) as base:
        for label, per_request, connections, tickets, path, pause in LOADS:
            if only and label.split("@")[0] != only:
                continue
            script = Path(tmp) / f"{label}.lua"
            lua = LUA.replace("%%", "%").replace("TICKETS", str(tickets)).replace("PATH", path)
            if pause:  # about 500 requests/s: each connection waits before its next request
                lua += f"function delay()\n  return {pause}\nend\n"
            prefix = label[0].upper() + ("R" if pause else "")
            script.write_text(lua.replace("B%d-%d", f"{prefix}%d-%d"))
            worker_process = start_worker(url) if label.startswith("queued") else None
            r = wrk_post(base, token, seconds, connections, script, per_request)
            rps = float(r["rps"]) if r["rps"] != "?" else 0.0
            print(
                f"{name:10s} {label:10s} {rps:9.1f} req/s = {rps * per_request:9.0f} events/s  "
                f"p50 {r['p50']:>8s}  p90 {r['p90']:>8s}  p99 {r['p99']:>8s}  "
                f"non-2xx {r['non-2xx']}",
                flush=True,
            )
            if worker_process is not None:
                catch_up(url, worker_process)


def start_worker(url: str) -> subprocess.Popen[bytes]:
    """``slm worker`` running beside the server during a queued load, as in production."""
    env = {**os.environ, "SLM_DATABASE_URL": url}
    command = ["nice", "-n", "10", str(Path(sys.executable).with_name("slm")), "worker"]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def catch_up(url: str, process: subprocess.Popen[bytes]) -> None:
    """How many queued requests the worker had left when the load stopped, and how long it
    took to store them (the queue must not grow under a sustained load)."""
    sessions = session_factory(make_engine(url))
    with sessions() as session:
        waiting = monitoring_repo.inbox_waiting(session)
    started = time.perf_counter()
    while waiting:
        time.sleep(0.5)
        with sessions() as session:
            waiting = monitoring_repo.inbox_waiting(session)
        if time.perf_counter() - started > 120:
            break
    process.terminate()
    process.wait()
    with sessions() as session:
        stored = session.query(EventInbox).filter(EventInbox.status == "stored").count()
        left = monitoring_repo.inbox_waiting(session)
    print(
        f"           worker alongside: {stored:,} requests stored, {left} waiting, "
        f"caught up {time.perf_counter() - started:.1f} s after the load stopped",
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
