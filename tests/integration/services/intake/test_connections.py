"""Connections that pull, against a real Request Tracker 5 on loopback (tests/connectors/rt_server):
tickets are made and moved in RT through its own API, a connection pulls them page by page
into servicelevel — their events stored, nothing stored twice, a failure half-way keeping the
pages before it and a source error recorded rather than raised — and a breach is written back
into RT's custom field."""

from __future__ import annotations

import copy
import datetime as dt
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import Connection, Job, Ticket, TicketEvent
from servicelevel.services.agreements import authoring
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import ServiceData
from servicelevel.services.identity.permissions import SYSTEM, Actor
from servicelevel.services.intake import connection_settings, connections, pulls
from servicelevel.services.intake import write_back as connection_write_back
from servicelevel.services.intake.connections import ConnectionData
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid
from tests.connectors.rt_server import PASSWORD, USER, RtServer, rt_or_skip
from tests.integration.agreement_fixtures import SLA
from tests.integration.factories import World

PORT = 8116  # not the RT source tests' port: both may run at once
SECRET_ENV = "CONNECTOR_TEST_RT_SECRET"


@pytest.fixture(autouse=True)
def scenario_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    """RT stamps its transactions with its own clock, so a test that talks to RT runs at RT's
    time (an event dated after "now" would be refused), whatever this process's clock says: the
    suite may run with its clock moved (faketime) while RT's server keeps the machine's. The
    other tests run at the real time: no scenario instant here. RT's Date names whole
    seconds: the clock starts at the end of the second it names, never before RT's own."""
    if "rt" not in request.fixturenames:
        yield
        return
    server: RtServer = request.getfixturevalue("rt")
    with time_machine.travel(server.clock() + dt.timedelta(seconds=1), tick=True):
        yield


@pytest.fixture(scope="module")
def rt() -> Iterator[RtServer]:
    with rt_or_skip(PORT) as server:
        yield server


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SECRET_ENV, PASSWORD)


@pytest.fixture
def support(session: Session, world: World) -> None:
    """The service the shipped rt mapping gives RT's tickets."""
    catalog.create_service(session, actor=SYSTEM, data=ServiceData("it-support", "IT support"))
    session.flush()


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def tag() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


def next_second() -> None:
    """RT's instants are whole seconds: wait until its clock has moved on."""
    time.sleep(1.1)


def connect(session: Session, actor: Actor, rt: RtServer, word: str, **settings: Any) -> Connection:
    data = ConnectionData(
        name=f"rt-{word}",
        kind="rt",
        base_url=rt.url,
        mapping="rt",
        settings={
            "query": f"Subject LIKE '{word}'",
            "auth": {"kind": "basic", "username": USER, "secret_env": SECRET_ENV},
            **settings,
        },
    )
    made = connections.create_connection(session, actor=actor, data=data)
    session.flush()
    return made


def states(session: Session, number: str) -> list[str]:
    ticket = session.scalars(
        select(Ticket).where(Ticket.source == "rt", Ticket.external_id == number)
    ).one()
    query = select(TicketEvent.state).where(TicketEvent.ticket_id == ticket.id)
    return list(session.scalars(query.order_by(TicketEvent.seq)))


def rt_tickets(session: Session) -> set[str]:
    return set(session.scalars(select(Ticket.external_id).where(Ticket.source == "rt")))


def test_tickets_made_and_moved_in_rt_appear_with_their_events_and_twice_stores_nothing(
    session: Session, world: World, rt: RtServer, secret: None, support: None
) -> None:
    manager = world.actors["manager"]
    word = tag()
    first = rt.create_ticket(f"{word} printer", CustomFields={"Customer": "ACME"})
    rt.update_ticket(first, Status="open")
    second = rt.create_ticket(f"{word} mail", CustomFields={"Customer": "ACME"})
    # the framework's own settings (politeness, retries) are not the kind's: RT never sees them
    made = connect(session, manager, rt, word, http={"min_interval": 0.01, "retries": 1})
    client = connection_settings.client_for(made.settings)
    assert (client.min_interval, client.retries, client.timeout) == (0.01, 1, 30.0)
    client.close()
    run = pulls.run_connection(session, actor=manager, connection_id=made.id, now=now())
    assert (run.outcome, run.error, run.stored) == ("ok", "", 3)
    assert states(session, first) == ["new", "open"]
    assert states(session, second) == ["new"]
    ticket = session.scalars(select(Ticket).where(Ticket.external_id == first)).one()
    assert (ticket.customer_id, ticket.service) == (world.acme_id, "it-support")
    assert ticket.state == "open"
    assert (made.state, made.last_error, made.cursor is not None) == ("ok", "", True)

    again = pulls.run_connection(session, actor=manager, connection_id=made.id, now=now())
    assert (again.outcome, again.stored) == ("ok", 0)

    next_second()
    rt.update_ticket(second, Status="resolved")
    moved = pulls.run_connection(session, actor=manager, connection_id=made.id, now=now())
    assert (moved.outcome, moved.stored) == ("ok", 1)
    assert states(session, second) == ["new", "resolved"]
    assert states(session, first) == ["new", "open"]
    runs = pulls.list_runs(session, actor=world.actors["viewer"], connection_id=made.id)
    assert [r.stored for r in runs] == [1, 0, 3]


def test_a_failure_half_way_keeps_the_pages_before_it_and_the_next_pull_resumes(
    session: Session, world: World, rt: RtServer, secret: None, support: None
) -> None:
    manager = world.actors["manager"]
    word = tag()
    known = rt.create_ticket(f"{word} known", CustomFields={"Customer": "ACME"})
    next_second()
    unknown = rt.create_ticket(f"{word} unknown", CustomFields={"Customer": "NEWCO"})
    made = connect(session, manager, rt, word, page_size=1)
    run = pulls.run_connection(session, actor=manager, connection_id=made.id, now=now())
    assert (run.outcome, run.pages, run.stored) == ("failed", 1, 1)
    assert "no customer NEWCO" in run.error
    assert (made.state, made.last_error) == ("failed", run.error)
    assert rt_tickets(session) == {known}
    cursor = made.cursor
    assert cursor is not None

    data = parties.PartyData("NEWCO", "customer", "New Co", {})
    parties.create_party(session, actor=SYSTEM, data=data)
    session.flush()
    resumed = pulls.run_connection(session, actor=manager, connection_id=made.id, now=now())
    assert (resumed.outcome, resumed.stored) == ("ok", 1)
    assert rt_tickets(session) == {known, unknown}
    assert states(session, known) == ["new"]
    assert (made.state, made.last_error) == ("ok", "")


def test_a_wrong_password_is_a_failed_run_with_its_reason_and_nothing_stored(
    session: Session,
    world: World,
    rt: RtServer,
    support: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(SECRET_ENV, "not-the-password")
    word = tag()
    rt.create_ticket(f"{word} locked out", CustomFields={"Customer": "ACME"})
    made = connect(session, world.actors["admin"], rt, word)
    run = pulls.run_connection(
        session, actor=world.actors["admin"], connection_id=made.id, now=now()
    )
    assert (run.outcome, run.pages, run.stored) == ("failed", 0, 0)
    assert "401" in run.error
    assert "not-the-password" not in run.error
    assert (made.state, made.last_error, made.cursor) == ("failed", run.error, None)
    assert rt_tickets(session) == set()


def test_a_missing_secret_is_a_failed_run_naming_the_variable(
    session: Session,
    world: World,
    rt: RtServer,
    support: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    made = connect(session, world.actors["owner"], rt, tag())
    run = pulls.run_connection(
        session, actor=world.actors["owner"], connection_id=made.id, now=now()
    )
    assert run.outcome == "failed"
    assert f"environment variable {SECRET_ENV} is not set" in run.error
    assert made.state == "failed"


def acme_sla_in_force(session: Session, world: World) -> int:
    """An SLA with ACME for it-support in force since yesterday: P1 tickets resolved within a
    second (so a ticket resolved two seconds after it was made is a breach), P2 within 8 h."""
    today = now().date()
    doc = copy.deepcopy(SLA)
    doc.update(
        id="SLA-RT",
        services=["it-support"],
        term={
            "start": (today - dt.timedelta(days=30)).isoformat(),
            "end": (today + dt.timedelta(days=300)).isoformat(),
        },
        calendars={"always": "24x7"},
        clocks={"resolution": {"stop": {"states": ["resolved"]}}},
        targets=[
            {"id": p, "clock": "resolution", "when": {"priority": p}, "within": w}
            | {"calendar": "always", "objective": "90%"}
            for p, w in (("P1", "1s"), ("P2", "8h"))
        ],
    )
    doc.pop("availability")
    doc.pop("credits")
    actors = world.actors
    made = authoring.create_agreement(session, actor=actors["admin"], document=doc)
    session.flush()
    for who, step in (("admin", "propose"), ("manager", "approve")):
        advance(session, actors[who], made.id, step)
    for who in ("manager", "customer_rep"):
        v = agreements.latest(made)
        agreement_lifecycle.sign(
            session, actor=actors[who], agreement_id=made.id, number=v.number, version=v.version
        )
        session.flush()
    advance(session, actors["manager"], made.id, "activate", now() - dt.timedelta(days=1))
    session.flush()
    return made.id


def advance(
    session: Session, actor: Actor, agreement_id: int, step: str, effective: Any = None
) -> None:
    session.flush()
    a = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    v = agreements.latest(a)
    agreement_lifecycle.advance(
        session,
        actor=actor,
        agreement_id=agreement_id,
        number=v.number,
        version=v.version,
        step=step,
        effective=effective,
    )


def test_a_pulled_breach_is_written_back_into_rts_custom_field(
    session: Session, world: World, rt: RtServer, secret: None, support: None
) -> None:
    acme_sla_in_force(session, world)
    word = tag()
    late = rt.create_ticket(f"{word} late", Priority=100, CustomFields={"Customer": "ACME"})
    calm = rt.create_ticket(f"{word} calm", Priority=50, CustomFields={"Customer": "ACME"})
    next_second()
    next_second()
    rt.update_ticket(late, Status="resolved")
    made = connect(session, world.actors["manager"], rt, word)
    made.write_back = True
    session.flush()
    pulled = pulls.pull(session, actor=SYSTEM, connection_id=made.id, now=now())
    assert pulled.run.outcome == "ok", pulled.run.error
    assert pulled.tickets == {late, calm}
    queued = session.scalars(select(Job).where(Job.kind == "recompute")).all()
    assert queued  # the stored tickets are queued for recomputation, as any ingestion's
    written = connection_write_back.write_back(
        session, actor=SYSTEM, connection_id=made.id, tickets=pulled.tickets, now=now()
    )
    assert written == 2
    assert rt.custom_field(late, "SLA breached") == ["yes"]
    assert rt.custom_field(calm, "SLA breached") == ["no"]
    created = dt.datetime.fromisoformat(rt.ticket(calm)["Created"].replace("Z", "+00:00"))
    deadline = (created + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rt.custom_field(calm, "SLA deadline") == [deadline]
    # what servicelevel wrote is not read back as a change of the ticket
    again = pulls.run_connection(session, actor=SYSTEM, connection_id=made.id, now=now())
    assert (again.outcome, again.stored) == ("ok", 0)
    assert made.last_error == ""


def test_a_connection_says_where_its_secret_is_never_the_secret(
    session: Session, world: World
) -> None:
    admin = world.actors["admin"]
    base = ConnectionData(name="desk", kind="rt", base_url="https://rt.example", mapping="rt")
    for settings, where in (
        ({"auth": {"kind": "basic", "username": "u", "password": "hunter2"}}, "password"),
        ({"auth": {"kind": "basic", "username": "u"}}, "secret_env"),
        ({"auth": {"kind": "basic", "secret_file": "relative/path"}}, "secret_file"),
        # never servicelevel's own key or database password, nor a file outside the secrets
        # directory (a connection to an address of the manager's choosing would send it)
        (
            {"auth": {"kind": "basic", "username": "u", "secret_env": "SLM_SECRET_KEY"}},
            "secret_env",
        ),
        ({"auth": {"kind": "basic", "username": "u", "secret_file": "/etc/passwd"}}, "secret_file"),
        ({"auth": {"kind": "magic"}}, "kind"),
        ({"page_size": 500}, ""),
        ({"http": {"min_interval": -1}}, "http.min_interval"),
        ({"http": {"retries": 2.5}}, "http.retries"),
        ({"http": {"proxy": "x"}}, "http.proxy"),
    ):
        with pytest.raises(Invalid) as refused:
            connections.create_connection(
                session, actor=admin, data=ConnectionData(**{**base.__dict__, "settings": settings})
            )
        expected = f"settings.{where}" if where.startswith("http") else f"settings.auth.{where}"
        assert refused.value.field == (expected if where else "settings")
    for changes, field in (
        ({"kind": "gopher"}, "kind"),
        ({"base_url": "ftp://rt.example"}, "base_url"),
        ({"base_url": "https://root:pw@rt.example"}, "base_url"),
        ({"mapping": "no-such-mapping"}, "mapping"),
        ({"interval_seconds": 5}, "interval_seconds"),
        ({"name": "Bad Name"}, "name"),
    ):
        with pytest.raises(Invalid) as refused:
            connections.create_connection(
                session, actor=admin, data=ConnectionData(**{**base.__dict__, **changes})
            )
        assert refused.value.field == field
    made = connections.create_connection(session, actor=admin, data=base)
    session.flush()
    with pytest.raises(Conflict):
        connections.create_connection(session, actor=admin, data=base)
    with pytest.raises(Forbidden):
        connections.create_connection(session, actor=world.actors["viewer"], data=base)
    assert made.settings == {"auth": {"kind": "none"}}


def test_a_connection_is_changed_and_deleted_with_its_lock_version_and_audited(
    session: Session, world: World
) -> None:
    from servicelevel.db.models import AuditEntry

    admin = world.actors["admin"]
    data = ConnectionData(name="desk", kind="rt", base_url="https://rt.example", mapping="rt")
    made = connections.create_connection(session, actor=admin, data=data)
    session.flush()
    made.cursor = "2026-01-01 00:00:00"
    changed = connections.update_connection(
        session,
        actor=admin,
        connection_id=made.id,
        lock_version=made.version,
        changes={"interval_seconds": 300, "enabled": False},
        reset_cursor=True,
    )
    session.flush()
    assert (changed.interval_seconds, changed.enabled, changed.cursor) == (300, False, None)
    with pytest.raises(Conflict):
        connections.update_connection(
            session, actor=admin, connection_id=made.id, lock_version=1, changes={}
        )
    connections.delete_connection(session, actor=admin, connection_id=made.id)
    actions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "connection", AuditEntry.object_id == str(made.id)
        )
    ).all()
    assert sorted(actions) == ["create", "delete", "update"]


def test_the_worker_round_queues_the_connections_whose_interval_has_elapsed(
    session: Session, world: World
) -> None:
    admin = world.actors["admin"]
    moment = dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC)
    made = {}
    for name, interval, enabled in (
        ("every-5", 300, True),
        ("on-demand", None, True),
        ("paused", 300, False),
    ):
        data = ConnectionData(
            name=name,
            kind="rt",
            base_url="https://rt.example",
            mapping="rt",
            interval_seconds=interval,
            enabled=enabled,
        )
        made[name] = connections.create_connection(session, actor=admin, data=data)
    session.flush()
    first = pulls.queue_due(session, now=moment)
    assert [j.payload["connection_id"] for j in first] == [made["every-5"].id]
    assert pulls.queue_due(session, now=moment + dt.timedelta(seconds=299)) == []
    later = pulls.queue_due(session, now=moment + dt.timedelta(seconds=300))
    assert [j.payload["connection_id"] for j in later] == [made["every-5"].id]
    asked = pulls.request_run(session, actor=admin, connection_id=made["on-demand"].id)
    assert (asked.kind, asked.payload["connection_id"]) == ("connection_run", made["on-demand"].id)


def test_the_worker_pulls_a_due_connection_and_writes_its_breach_back_into_rt(
    session: Session, world: World, rt: RtServer, secret: None, support: None
) -> None:
    from sqlalchemy.orm import sessionmaker

    from servicelevel.jobs import worker

    acme_sla_in_force(session, world)
    word = tag()
    late = rt.create_ticket(f"{word} late", Priority=100, CustomFields={"Customer": "ACME"})
    next_second()
    next_second()
    made = connect(session, world.actors["manager"], rt, word)
    made.interval_seconds, made.write_back = 60, True
    session.commit()  # a savepoint of the test's transaction: the worker's sessions see it
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    assert worker.queue_connections(sessions) == 1
    assert worker.queue_connections(sessions) == 0  # not due again for a minute
    ran = 0
    while worker.run_one(sessions, "test-worker"):
        ran += 1
    session.expire_all()
    [run] = pulls.list_runs(session, actor=SYSTEM, connection_id=made.id)
    assert (run.outcome, run.stored, made.state, made.last_error) == ("ok", 1, "ok", "")
    assert ran >= 2  # the pull, then the recomputation it queued
    assert rt.custom_field(late, "SLA breached") == ["yes"]
