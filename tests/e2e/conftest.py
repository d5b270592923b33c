"""A real server on loopback and Debian's Chromium driven by Playwright.

The server runs in a thread (uvicorn) against a fresh, migrated SQLite database with a few
users, a customer and a calendar. Chromium is ``/usr/bin/chromium`` (installed by ``make test``);
Playwright never downloads a browser. With ``CI=true`` a missing Chromium fails the run.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy.orm import Session

from servicelevel.app import create_app
from servicelevel.db import migrate
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.uow import unit_of_work

CHROMIUM = os.environ.get("SLM_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _seed(url: str) -> None:
    migrate.upgrade(url)
    with unit_of_work(url) as db:
        for code, kind, name in (
            ("ACME", "customer", "Acme Corp"),
            ("GLOBEX", "customer", "Globex"),
            ("NETOPS", "internal_team", "Network team"),
            ("CLOUD", "supplier", "Cloud Hosting"),
        ):
            parties.create_party(db, actor=SYSTEM, data=parties.PartyData(code, kind, name, {}))
        calendars.create_calendar(
            db,
            actor=SYSTEM,
            code="bj",
            definition={
                "name": "Beijing office",
                "timezone": "Asia/Shanghai",
                "hours": {"mon-fri": ["09:00-12:00", "13:30-18:00"]},
                "holidays": {"country": "CN"},
            },
        )
        for name, grant in (
            ("manager", RoleGrant("service_level_manager")),
            ("viewer", RoleGrant("viewer")),
            ("acme", RoleGrant("customer_representative", "ACME")),
        ):
            identity.create_user(db, actor=SYSTEM, username=name, password=PASSWORD, roles=[grant])
        catalog.create_service(db, actor=SYSTEM, data=catalog.ServiceData("email", "E-mail"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# The browser tests are scenarios with hand-checked dates (agreements in force through 2026):
# the server and the data start at this instant, with the clock ticking on, so they do not
# depend on the day the suite runs (the browser keeps the real clock; nothing here compares it).
SCENARIO_NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="session", autouse=True)
def scenario_clock() -> Iterator[None]:
    with time_machine.travel(SCENARIO_NOW, tick=True):
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The server's database, for tests that prepare data the pages then show."""
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'e2e.sqlite3'}"
    _seed(url)
    return url


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[str]:
    url = database_url
    os.environ.setdefault("SLM_SECRET_FILE", str(tmp_path_factory.mktemp("secret") / "key"))
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(url), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        message = f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url, locale="en-US")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def add_resolved_ticket(
    db: Session, customer_id: int, number: str, opened: dt.datetime, hours: float
) -> None:
    """A P1 e-mail ticket of the customer, opened at ``opened`` and resolved ``hours`` later."""
    resolved = opened + dt.timedelta(hours=hours)
    [tid] = monitoring_repo.add_tickets(
        db,
        [
            {
                "source": "e2e",
                "external_id": number,
                "service": "email",
                "customer_id": customer_id,
                "priority": "P1",
                "category": "",
                "state": "Resolved",
                "title": "",
                "opened_at": opened,
                "last_event_at": resolved,
                "attributes": {},
                "version": 1,
                "created_at": opened,
                "updated_at": opened,
            }
        ],
    )
    events = ((0, opened, "New", "created"), (1, resolved, "Resolved", ""))
    monitoring_repo.add_events(
        db,
        [
            {"ticket_id": tid, "seq": i, "at": at, "state": s, "event": e, "changes": {}}
            for i, at, s, e in events
        ],
    )
