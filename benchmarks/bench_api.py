"""API read throughput and latency: `slm serve --workers 2` under wrk, on SQLite and PostgreSQL.

Run with ``make bench-api`` (needs `wrk`, from Debian's packages, and the local PostgreSQL).
For each database: migrate a fresh one, load the demo and 1,000 more parties, start the server
with two uvicorn workers on loopback, then run wrk (2 threads, 32 connections, 15 s) against a
list endpoint (`GET /api/v1/parties?limit=50`) and a detail endpoint (`GET /api/v1/parties/{id}`).
Results are printed; docs/performance.md records them.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from servicelevel.db.session import make_engine  # noqa: E402
from servicelevel.demo.loader import DEMO_PASSWORD, load_demo  # noqa: E402
from servicelevel.services.identity import accounts as identity  # noqa: E402
from servicelevel.services.identity.permissions import SYSTEM  # noqa: E402
from servicelevel.services.parties import directory as parties  # noqa: E402
from servicelevel.services.shared.database import upgrade_database  # noqa: E402
from servicelevel.services.shared.uow import unit_of_work  # noqa: E402
from servicelevel.settings import Settings  # noqa: E402

PG_ADMIN = os.environ.get("SLM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def seed(url: str) -> tuple[str, int]:
    upgrade_database(url)
    with unit_of_work(url) as db:
        load_demo(db)
        for i in range(1000):
            parties.create_party(
                db,
                actor=SYSTEM,
                data=parties.PartyData(
                    f"C{i:04d}", "customer", f"Customer {i}", {"zh-Hans": f"客户 {i}"}
                ),
            )
        actor = identity.authenticate(db, username="manager", password=DEMO_PASSWORD)
        token = identity.issue_token(db, actor=actor, name="bench")
        party_id = parties.list_parties(db, actor=actor, search="C0500").items[0].id
    return token, party_id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(
    url: str,
    token: str,
    seconds: int,
    connections: int = 32,
    extra: list[str] | None = None,
    headers: list[str] | None = None,
) -> dict[str, str]:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for header in [f"Authorization: Bearer {token}", *(headers or [])]:
        command += ["-H", header]
    out = subprocess.run(
        [*command, url, *(extra or [])], capture_output=True, text=True, check=True
    ).stdout
    figures = {"rps": re.search(r"Requests/sec:\s+([\d.]+)", out)}
    for p in ("50", "90", "99"):
        figures[f"p{p}"] = re.search(rf"\s{p}%\s+([\d.]+\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result = {k: (m.group(1) if m else "?") for k, m in figures.items()}
    result["non-2xx"] = errors.group(1) if errors else "0"
    return result


@contextmanager
def serve(url: str, port: int) -> Iterator[str]:
    """``uvicorn`` with two workers on ``url``'s database; yields the base URL."""
    env = {**os.environ, "SLM_DATABASE_URL": url}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "servicelevel.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/login", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def run(name: str, url: str, seconds: int) -> None:
    token, party_id = seed(url)
    with serve(url, free_port()) as base:
        for label, path in (
            ("list", "/api/v1/parties?limit=50"),
            ("detail", f"/api/v1/parties/{party_id}"),
        ):
            r = wrk(base + path, token, seconds)
            print(
                f"{name:10s} {label:6s} {r['rps']:>9s} req/s  p50 {r['p50']:>8s}  "
                f"p90 {r['p90']:>8s}  p99 {r['p99']:>8s}  non-2xx {r['non-2xx']}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SLM_SECRET_FILE"] = str(Path(tmp) / "secret")
        Settings().secret(create=True)  # as `slm serve` does: the server below only reads it
        run("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args.seconds)
        run_postgresql(args.seconds)


def run_postgresql(seconds: int) -> None:
    with temporary_postgres(PG_ADMIN) as url:
        run("postgresql", url, seconds)


@contextmanager
def temporary_postgres(admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"slm_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
