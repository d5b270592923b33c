"""``slm connector``: a connection added, listed, shown, pulled now and its runs listed; a
mistake is one line naming the option, a failed pull its reason and exit status 1. Against a
real Request Tracker 5 on loopback (tests/connectors/rt_server) where a pull reads tickets."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.db.models import Ticket
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import ServiceData
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.uow import unit_of_work
from tests.connectors.rt_server import PASSWORD, USER, RtServer, rt_or_skip

runner = CliRunner()
PORT = 8117  # neither the RT source tests' port nor the connection service tests'
SECRET_ENV = "CONNECTOR_TEST_CLI_RT_SECRET"


@pytest.fixture(scope="module")
def rt() -> Iterator[RtServer]:
    with rt_or_skip(PORT) as server:
        yield server


def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    return url


def add(url: str, name: str, base_url: str, *extra: str) -> list[str]:
    return [
        "connector",
        "add",
        name,
        "--kind",
        "rt",
        "--base-url",
        base_url,
        "-m",
        "rt",
        "--auth",
        "basic",
        "--username",
        USER,
        "--secret-env",
        SECRET_ENV,
        *extra,
        "--url",
        url,
    ]


def test_a_connection_is_added_listed_shown_and_a_failed_pull_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    url = database(tmp_path)
    made = runner.invoke(app, add(url, "desk", "https://rt.example", "--every", "300"))
    assert made.exit_code == 0, made.stderr
    assert "connection desk added" in made.stdout
    listed = runner.invoke(app, ["connector", "list", "--url", url])
    assert listed.stdout.split()[:3] == ["desk", "rt", "idle"]
    shown = runner.invoke(app, ["connector", "show", "desk", "--url", url])
    assert f'"secret_env": "{SECRET_ENV}"' in shown.stdout
    assert "interval_seconds:  300" in shown.stdout
    pulled = runner.invoke(app, ["connector", "run", "desk", "--url", url])
    assert pulled.exit_code == 1
    assert "desk: failed: 0 page(s)" in pulled.stdout
    assert f"{SECRET_ENV} is not set" in pulled.stderr
    runs = runner.invoke(app, ["connector", "runs", "desk", "--url", url])
    assert runs.stdout.split()[2] == "failed"
    queued = runner.invoke(app, ["connector", "run", "desk", "--queue", "--url", url])
    assert (queued.exit_code, queued.stdout.startswith("pull of desk queued as job")) == (0, True)


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--every", "5"], "--every: interval_seconds is empty"),
        (["--settings", "{not json"], "--settings: not JSON"),
        (["--settings", '{"page_size": 1000}'], "settings: settings.page_size"),
        (["--backfill-from", "2026-01-01"], "--backfill-from: give the instant with its UTC"),
    ],
)
def test_a_mistake_is_one_line_naming_the_option(
    tmp_path: Path, extra: list[str], said: str
) -> None:
    url = database(tmp_path)
    refused = runner.invoke(app, add(url, "desk", "https://rt.example", *extra))
    assert refused.exit_code == 2
    assert said in refused.stderr
    assert "Traceback" not in refused.stderr + refused.stdout
    unknown = runner.invoke(app, ["connector", "show", "nothing", "--url", url])
    assert (unknown.exit_code, "no connection nothing" in unknown.stderr) == (2, True)


def test_tickets_pulled_from_rt_by_the_command_are_stored_once(
    tmp_path: Path, rt: RtServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, PASSWORD)
    url = database(tmp_path)
    with unit_of_work(url) as session:  # the customer and the service the rt mapping names
        data = parties.PartyData("ACME", "customer", "Acme", {})
        parties.create_party(session, actor=SYSTEM, data=data)
        catalog.create_service(session, actor=SYSTEM, data=ServiceData("it-support", "IT"))
    word = f"t{uuid.uuid4().hex[:10]}"
    ticket = rt.create_ticket(f"{word} cli", CustomFields={"Customer": "ACME"})
    rt.update_ticket(ticket, Status="open")
    query = f'{{"query": "Subject LIKE \'{word}\'"}}'
    made = runner.invoke(app, add(url, "desk", rt.url, "--settings", query))
    assert made.exit_code == 0, made.stderr
    first = runner.invoke(app, ["connector", "run", "desk", "--url", url])
    assert first.exit_code == 0, first.stderr
    assert "desk: ok: 1 page(s), 2 record(s), 2 event(s) stored, 0 already there" in first.stdout
    again = runner.invoke(app, ["connector", "run", "desk", "--url", url])
    assert again.exit_code == 0, again.stderr
    assert "0 event(s) stored" in again.stdout
    with unit_of_work(url) as session:
        stored = session.scalars(select(Ticket).where(Ticket.source == "rt")).one()
        assert (stored.external_id, stored.state) == (ticket, "open")
    runs = runner.invoke(app, ["connector", "runs", "desk", "--url", url]).stdout.splitlines()
    assert [line.split()[2] for line in runs] == ["ok", "ok"]
