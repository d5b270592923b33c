"""Every integration test runs on SQLite and on PostgreSQL.

Each backend's database is built once per session by running the migrations (never
``create_all``), and every test runs inside a transaction that is rolled back. PostgreSQL is
found at ``SLM_TEST_POSTGRES_URL`` (default: the local server, database ``test``), where a fresh
database is created for the session and dropped after it. When ``CI=true`` an unreachable
PostgreSQL fails the run instead of skipping it.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.app import create_app
from servicelevel.db import migrate
from servicelevel.db.session import make_engine, normalise_url
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor
from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.factories import PASSWORD, World, build_world

ADMIN_URL = os.environ.get("SLM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
# Integration tests are scenarios with hand-checked dates (agreements in force through 2026,
# the report of November mailed in December): each starts at this instant and the clock ticks
# on from there, so none depends on the hour or the day the suite happens to run. What must
# work at any moment is tested with the clock moved on purpose (the demo and the README's run
# path: demo/test_demo_at_any_hour.py, tests/cli/test_demo_cli.py).
SCENARIO_NOW = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def scenario_clock() -> Iterator[None]:
    with time_machine.travel(SCENARIO_NOW, tick=True):
        yield


@contextmanager
def fresh_postgres() -> Iterator[str]:
    """A new, empty PostgreSQL database, dropped afterwards."""
    admin = make_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"slm_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL at {ADMIN_URL} is unreachable: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    url = make_url(normalise_url(ADMIN_URL)).set(database=name).render_as_string(False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A migrated database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    with fresh_postgres() as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, Engine]]:
    cache: dict[str, Engine] = {}
    yield cache
    for engine in cache.values():
        engine.dispose()


@pytest.fixture
def engine(database_url: str, engines: dict[str, Engine]) -> Engine:
    if database_url not in engines:
        engines[database_url] = make_engine(database_url)
    return engines[database_url]


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test (commits become savepoints)."""
    with engine.connect() as connection:
        outer = connection.begin()
        db = Session(bind=connection, join_transaction_mode="create_savepoint")
        try:
            yield db
        finally:
            db.close()
            outer.rollback()


@pytest.fixture
def world(session: Session) -> World:
    """Two customers and the fixed personas (see factories.py)."""
    return build_world(session)


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    sessions = sessionmaker(
        bind=session.connection(),
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
    )
    with TestClient(create_app(sessions=sessions), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tokens(session: Session, world: World) -> dict[str, str]:
    out = {
        name: identity.issue_token(session, actor=a, name="test")
        for name, a in world.actors.items()
    }
    session.flush()
    return out


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def sla_in_force(client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> int:
    actors: dict[str, Actor] = everyone(session, world)
    assert actors
    staff, rep = auth(tokens["manager"]), auth(tokens["customer_rep"])
    made = client.post("/api/v1/agreements", headers=staff, json={"document": SLA}).json()
    url = f"/api/v1/agreements/{made['id']}/versions/1"
    for who, path, body in (
        (staff, "steps", {"step": "propose"}),
        (staff, "steps", {"step": "approve"}),
        (staff, "signatures", {"password": PASSWORD}),
        (rep, "signatures", {"password": PASSWORD}),
        (staff, "steps", {"step": "activate", "effective": "2026-01-01T00:00:00Z"}),
    ):
        version = client.get(url, headers=staff).json()["lock_version"]
        r = client.post(f"{url}/{path}", headers=who, json={"lock_version": version, **body})
        assert r.status_code == 200, r.text
    return int(made["id"])
