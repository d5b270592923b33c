"""Server time of every demo web page, warm, as each of the demo's roles: SQLite and PostgreSQL.

Run with ``make bench-pages`` (needs the local PostgreSQL for the second half).
For each database: migrate a fresh one, load the demo ending now (as ``slm demo load`` does),
start the app with one uvicorn worker on loopback and sign in as each demo user (one per role).
The pages are discovered, not listed: same-origin GET links from the home page, followed to
``--depth`` (downloads, language switches, the API and static files left out), deduplicated by
route pattern (numbers in the path become ``{id}``), so each route is measured on the first
instance the crawl met — each list's first detail page. Each page is requested once to warm it,
then ``--repeat`` times; the figure is the server's own ``Server-Timing: app;dur=`` (request in,
response start out; for a rendered page that is all of its work), with the client's loopback
time beside it. A page whose median is at or over 300 ms is marked (one whose p90 is, noted).
``--queries`` also counts each page's SQL statements, in-process (SQLAlchemy's
``before_cursor_execute``), which is how an N+1 shows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
from sqlalchemy import event
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_api import PG_ADMIN, free_port, temporary_postgres  # noqa: E402
from servicelevel.demo.loader import DEMO_PASSWORD, USERS, load_demo  # noqa: E402
from servicelevel.services.shared.database import upgrade_database  # noqa: E402
from servicelevel.services.shared.uow import unit_of_work  # noqa: E402
from servicelevel.settings import Settings  # noqa: E402

LIMIT_MS = 300.0
SKIP = re.compile(
    r"^/(static|api|language|logout)(/|$)|/(download|export)(/|$)|\.(pdf|xlsx|csv|yaml|json|zip)$"
    r"|[?&]format=(pdf|xlsx|csv)"
)


class Links(HTMLParser):
    """The ``href`` of every ``<a>`` on a page, and every GET form (``method="get"`` or htmx's
    ``hx-get``) filled in as a user who changes nothing would send it."""

    def __init__(self, now: dt.date, page: str) -> None:
        super().__init__()
        self.now = now
        self.page = urlsplit(page).path
        self.found: list[str] = []
        self.form: tuple[str, list[tuple[str, str]]] | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, selected

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        href = a.get("href")
        if tag == "a" and href and not href.startswith(("#", "mailto:", "javascript:")):
            self.found.append(href)
        elif tag == "form" and (a.get("hx-get") or a.get("method", "").lower() == "get"):
            self.form = (a.get("hx-get") or a.get("action", ""), [])
        elif self.form and tag == "input" and a.get("name"):
            self.form[1].append((a["name"], a.get("value") or self._default(a)))
        elif self.form and tag == "select" and a.get("name"):
            self.select = (a["name"], [], [])
        elif self.select and tag == "option":
            self.select[1].append(a.get("value", "\0"))  # no value: the text, filled below
            if "selected" in a:
                self.select[2].append(self.select[1][-1])

    def handle_data(self, data: str) -> None:
        if self.select and self.select[1] and self.select[1][-1] == "\0":
            self.select[1][-1] = data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self.select and self.form:
            name, options, selected = self.select
            chosen = [o for o in options if o in selected] or options[:1]
            self.form[1].extend((name, value) for value in chosen)
            self.select = None
        elif tag == "form" and self.form:
            action, fields = self.form
            if urlsplit(action).path != self.page:  # not a filter of this page's own rows
                self.found.append(action + ("?" + urlencode(fields) if fields else ""))
            self.form = None

    def _default(self, attrs: dict[str, str]) -> str:
        """An empty period gets the last whole month (or quarter), which the demo has data for;
        other empty fields stay empty."""
        if attrs["name"] != "period":
            return ""
        month = (self.now.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        if re.fullmatch(r"\d{4}-Q\d", attrs.get("placeholder", "")):
            quarter = (self.now.month - 1) // 3  # the previous quarter, 0 = last year's Q4
            year = self.now.year if quarter else self.now.year - 1
            return f"{year}-Q{quarter or 4}"
        return f"{month:%Y-%m}"


def pattern(path: str) -> str:
    """A route pattern: numeric path segments become ``{id}``; query keys kept, values not."""
    parts = urlsplit(path)
    route = re.sub(r"(?<=/)\d+(?=/|$)", "{id}", parts.path)
    if parts.query:
        keys = sorted({kv.split("=", 1)[0] for kv in parts.query.split("&") if kv})
        route += "?" + "&".join(f"{k}=" for k in keys)
    return route


def links_of(base: str, page_path: str, html: str) -> list[str]:
    parser = Links(dt.datetime.now(dt.UTC).date(), page_path)
    parser.feed(html)
    found = []
    for href in parser.found:
        absolute = urljoin(base + page_path, href)
        if not absolute.startswith(base + "/"):
            continue  # another site
        path = absolute[len(base) :].split("#", 1)[0]
        if not SKIP.search(path):
            found.append(path)
    return found


def sign_in(client: httpx.Client, username: str) -> None:
    page = client.get("/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf, "no CSRF field on the sign-in page"
    r = client.post(
        "/login", data={"username": username, "password": DEMO_PASSWORD, "csrf": csrf.group(1)}
    )
    assert r.status_code == 303, (username, r.status_code)


def crawl(client: httpx.Client, base: str, depth: int) -> dict[str, str]:
    """Route pattern → the first path seen for it, breadth first from ``/``."""
    routes: dict[str, str] = {"/": "/"}
    frontier = ["/"]
    for _ in range(depth):
        following: list[str] = []
        for path in frontier:
            r = client.get(path)
            if r.status_code != 200 or "text/html" not in r.headers.get("content-type", ""):
                continue
            for link in links_of(base, path, r.text):
                key = pattern(link)
                if key not in routes:
                    routes[key] = link
                    following.append(link)
        frontier = following
    return routes


@dataclass
class Figures:
    route: str
    role: str
    path: str
    status: int
    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    queries: int | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.server) if self.server else float("nan")

    @property
    def p90(self) -> float:
        if len(self.server) < 2:
            return self.median
        return statistics.quantiles(self.server, n=10, method="inclusive")[-1]


def server_ms(response: httpx.Response) -> float:
    match = re.search(r"app;dur=([\d.]+)", response.headers.get("server-timing", ""))
    assert match, "no Server-Timing header: is servicelevel.web.timing in the app?"
    return float(match.group(1))


def measure(client: httpx.Client, path: str, repeat: int) -> tuple[int, list[float], list[float]]:
    warm = client.get(path)
    servers, clients = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        r = client.get(path)
        clients.append((time.perf_counter() - started) * 1000)
        servers.append(server_ms(r))
    return warm.status_code, servers, clients


def seed(url: str) -> None:
    upgrade_database(url)
    with unit_of_work(url) as db:
        load_demo(db)  # now = the real clock, as `slm demo load`


@contextmanager
def serve(url: str, port: int) -> Iterator[str]:
    """One uvicorn worker on ``url``'s database, on loopback, with a throw-away session key
    (nothing written under the home directory); yields the base URL. The screenshots use it
    too (tools/screenshots.py)."""
    import secrets
    import subprocess

    key = secrets.token_urlsafe(48)
    env = {**os.environ, "SLM_DATABASE_URL": url, "SLM_SECRET_KEY": key}
    command = [sys.executable, "-m", "uvicorn", "servicelevel.app:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    server = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                httpx.get(f"{base}/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


class QueryCounter:
    """Counts SQL statements on every engine in this process."""

    def __init__(self) -> None:
        self.count = 0
        event.listen(Engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def count_queries(url: str, plan: dict[str, dict[str, str]]) -> dict[tuple[str, str], int]:
    """Statements per page, in-process (the app on the same database, driven over ASGI)."""
    from fastapi.testclient import TestClient

    from servicelevel.app import create_app

    counter = QueryCounter()
    counts: dict[tuple[str, str], int] = {}
    with TestClient(create_app(url), follow_redirects=False) as client:
        for role, routes in plan.items():
            client.cookies.clear()
            sign_in(client, role)  # a TestClient is an httpx.Client
            for route, path in routes.items():
                client.get(path)  # warm
                before = counter.count
                client.get(path)
                counts[(route, role)] = counter.count - before
    return counts


def run(name: str, url: str, args: argparse.Namespace) -> list[Figures]:
    started = time.perf_counter()
    seed(url)
    print(f"# {name}: demo loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    results: list[Figures] = []
    plan: dict[str, dict[str, str]] = {}
    users = [u for u in USERS if not args.users or u.username in args.users]
    with serve(url, free_port()) as base:
        for user in users:
            with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
                sign_in(client, user.username)
                routes = crawl(client, base, args.depth)
                if args.only:
                    routes = {k: v for k, v in routes.items() if re.search(args.only, k)}
                plan[user.username] = routes
                for route, path in routes.items():
                    status, servers, clients = measure(client, path, args.repeat)
                    results.append(Figures(route, user.username, path, status, servers, clients))
            print(f"# {name}: {user.username} {len(routes)} routes", file=sys.stderr)
    if args.queries:
        counts = count_queries(url, plan)
        for f in results:
            f.queries = counts.get((f.route, f.role))
    return results


def table(name: str, results: list[Figures]) -> str:
    lines = [
        f"### {name}",
        "",
        "| route | role | median ms | p90 ms | client median ms | queries | status | |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for f in sorted(results, key=lambda f: f.median, reverse=True):
        slow = "**≥ 300 ms**" if f.median >= LIMIT_MS else "p90 ≥ 300" if f.p90 >= LIMIT_MS else ""
        queries = "" if f.queries is None else str(f.queries)
        client = statistics.median(f.client) if f.client else float("nan")
        lines.append(
            f"| `{f.route}` | {f.role} | {f.median:.1f} | {f.p90:.1f} | {client:.1f} "
            f"| {queries} | {f.status} | {slow} |"
        )
    slow_count = sum(1 for f in results if f.median >= LIMIT_MS)
    routes = len({f.route for f in results})
    lines += [
        "",
        f"{len(results)} pages ({routes} routes); {slow_count} at or over 300 ms (median)",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page")
    parser.add_argument("--depth", type=int, default=3, help="link depth from the home page")
    parser.add_argument("--users", nargs="*", help="demo usernames (default: all)")
    parser.add_argument("--only", help="measure only routes matching this regex")
    parser.add_argument("--queries", action="store_true", help="count SQL statements per page")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--out", type=Path, help="also write the tables to this file")
    args = parser.parse_args()
    tables = [f"uptime: {os.popen('uptime').read().strip()}", ""]
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SLM_SECRET_FILE"] = str(Path(tmp) / "secret")
        Settings().secret(create=True)  # as `slm serve` does: the server below only reads it
        if args.database in ("sqlite", "both"):
            url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
            tables.append(table("SQLite", run("sqlite", url, args)))
            print(tables[-1], flush=True)
        if args.database in ("postgresql", "both"):
            with temporary_postgres(PG_ADMIN) as url:
                tables.append(table("PostgreSQL", run("postgresql", url, args)))
                print(tables[-1], flush=True)
    tables.append(f"uptime: {os.popen('uptime').read().strip()}")
    if args.out:
        args.out.write_text("\n".join(tables) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
