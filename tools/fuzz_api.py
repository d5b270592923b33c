"""Fuzz the served API with schemathesis: the demo loaded into a fresh database, `slm serve`
on a free port, and schemathesis run against the served OpenAPI document as the process owner
and as a customer representative, on SQLite and on PostgreSQL. Prints one line per run
(operations, cases, failures) and the failures found; the figures go to docs/api.md by hand.

    python tools/fuzz_api.py [--examples 10] [--backends sqlite,postgresql]
                             [--personas owner,contoso]

PostgreSQL is found at SLM_TEST_POSTGRES_URL (default: the local server, database ``test``); a
database is created for the run and dropped after it. Exit status 1 when a run found failures.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ADMIN_URL = os.environ.get("SLM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "servicelevel-demo"  # the demo's (demo/loader.py)
# negative_data_rejection is left out: pydantic's lax mode takes 0 for false and 0 for the date
# 1970-01-01, which the check counts as accepting invalid data (docs/api.md, Fuzzing)
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance,allow_header_conformance"
)


@contextlib.contextmanager
def database(backend: str, work: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{work / 'fuzz.sqlite3'}"
        return
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from servicelevel.db.session import make_engine, normalise_url

    admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"slm_fuzz_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(normalise_url(ADMIN_URL)).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(url: str, work: Path) -> Iterator[str]:
    """``slm serve`` on the demo, in a scratch directory (never the repository)."""
    env = {**os.environ, "SLM_DATABASE_URL": url, "SLM_SECRET_FILE": str(work / "secret")}
    subprocess.run(
        [BIN / "slm", "demo", "load"], env=env, cwd=work, check=True, capture_output=True
    )
    port = free_port()
    log = (work / "serve.log").open("w")
    proc = subprocess.Popen(
        [BIN / "slm", "serve", "--port", str(port), "--no-worker"],
        env=env,
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(OSError):
                urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=1)
                break
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def token(base: str, username: str) -> str:
    body = json.dumps({"username": username, "password": PASSWORD, "name": "fuzz"}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/tokens", body, {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return str(json.load(answer)["token"])


def fuzz(base: str, bearer: str, examples: int, report: Path) -> dict[str, Any]:
    """One schemathesis run and its figures, from its JSON report."""
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/api/v1/openapi.json",
        "-H",
        f"Authorization: Bearer {bearer}",
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(examples),
        "--seed",
        "13",
        "--workers",
        "2",
        "--generation-database",
        "none",
        "--wait-for-schema",
        "60",
        "--exclude-path-regex",
        "^/api/v1/auth/",  # would revoke the run's own token or change its password
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    done = subprocess.run(command, capture_output=True, text=True, cwd=report.parent)
    found = json.loads(report.read_text(encoding="utf-8"))
    return {
        "operations": found["operations"]["tested"],
        "cases": found["test_cases"]["generated"],
        "failures": {f["title"]: f["operations"] for f in found["failures"]},
        "unique": found["test_cases"]["unique_failures"],
        "errors": found["errors"],
        "out": done.stdout,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--personas", default="owner,contoso")
    args = parser.parse_args()
    found = 0
    for backend in args.backends.split(","):
        for persona in args.personas.split(","):
            with tempfile.TemporaryDirectory(prefix="slm-fuzz-") as scratch:
                work = Path(scratch)
                with database(backend, work) as url, served(url, work) as base:
                    result = fuzz(base, token(base, persona), args.examples, work / "run.ndjson")
                    count = result["unique"] + len(result["errors"])
                    found += count
                    print(
                        f"{backend:10} {persona:8} operations {result['operations']:4}  "
                        f"cases {result['cases']:6}  failures {count}",
                        flush=True,
                    )
                    for title, where in sorted(result["failures"].items()):
                        print(f"    {title}: {', '.join(where)}", flush=True)
                    if count:
                        print(result["out"][-8000:], flush=True)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
