"""Recomputation reads and writes in bulk: PostgreSQL by binary COPY (arrays in, arrays out),
SQLite by the generic path. The COPY path must store exactly what the generic one stores."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Table, delete, select, text, update
from sqlalchemy.orm import Session

from servicelevel.db.models import Breach, Measurement, TicketEvent
from servicelevel.db.repositories import bulk, bulk_columns, bulk_copy
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.services.monitoring import breaches, recompute, stored_tickets
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket, ticket

MARCH = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
NOW = MARCH + 30 * 24 * HOUR


def postgresql_only(session: Session) -> None:
    if not bulk.is_postgresql(session):
        pytest.skip("the COPY path is PostgreSQL's; SQLite takes the generic path only")


def test_tickets_read_by_copy_are_the_tickets_read_as_columns(
    session: Session, world: World
) -> None:
    postgresql_only(session)
    odd = ["T\\1", "T\t2", "工单 3", "T\n4", "T\\N"]
    for i, number in enumerate(odd):
        steps = [
            (MARCH + i * HOUR, "New", "created"),
            (MARCH + (i + 1.5) * HOUR, "Awaiting Customer", ""),
            (MARCH + (i + 2) * HOUR, "处理中", "resumed"),
            (MARCH + (i + 3) * HOUR, "Resolved", "resolved"),
        ]
        add_ticket(session, world, number, steps, priority=["P1", "P2", ""][i % 3])
    ticket(session, world, "LATER", NOW + HOUR, 1)  # opened after the window: not read
    session.flush()
    chosen: dict[str, Any] = {
        "services": ["email"],
        "customer_id": world.acme_id,
        "opened_from": MARCH - HOUR,
        "opened_to": NOW,
    }
    arrays = monitoring_repo.ticket_arrays(session, **chosen)
    assert arrays is not None
    copied = stored_tickets.from_arrays(arrays)
    generic = stored_tickets.assemble(*monitoring_repo.ticket_columns(session, **chosen))
    assert copied.numbers.tolist() == generic.numbers.tolist() == odd
    assert_same_tickets(copied, generic)


def assert_same_tickets(a: stored_tickets.StoredTickets, b: stored_tickets.StoredTickets) -> None:
    assert np.array_equal(a.ids, b.ids)
    assert np.array_equal(a.opened, b.opened)
    for name in ("offsets", "at", "state", "event"):
        assert np.array_equal(getattr(a.timelines, name), getattr(b.timelines, name)), name
    assert (a.timelines.states, a.timelines.events) == (b.timelines.states, b.timelines.events)
    for name, column in a.attributes.items():
        assert np.array_equal(column.codes, b.attributes[name].codes), name
        assert column.values == b.attributes[name].values, name


def measurement_columns(tickets: list[int], used: list[int]) -> bulk_columns.Columns:
    """Measurements of ``tickets`` (each ticket's row depends on its id only): two targets,
    some instants missing, statuses coded."""
    ids = np.array(tickets, dtype=np.int64)
    n = ids.size
    none = np.full(n, bulk_columns.MISSING, dtype=np.int64)
    start = int(MARCH.timestamp()) + 60 * ids
    stopped = np.where(ids % 2 == 0, start + 3600, bulk_columns.MISSING)
    one: dict[str, bulk_columns.Ints | bulk_columns.Coded] = {
        "version_number": np.ones(n, dtype=np.int64),
        "target_key": bulk_columns.Coded(ids % 2, ("P1-resolution", "other")),
        "ticket_id": ids,
        "status": bulk_columns.Coded(ids % 3, ("met", "breached", "running")),
        "used_seconds": np.array(used, dtype=np.int64),
        "paused_seconds": np.zeros(n, dtype=np.int64),
        "budget_seconds": np.full(n, 14_400, dtype=np.int64),
        "started_at": start,
        "stopped_at": stopped,
        "deadline": start + 14_400,
        "breached_at": none,
        "counted_at": np.where(stopped == bulk_columns.MISSING, start, stopped),
    }
    return bulk_columns.Columns(one, frozenset(measurement_repo.INSTANTS))


def stored_measurements(session: Session, agreement_id: int) -> dict[tuple[str, int], Any]:
    columns = [c for c in Measurement.__table__.c if c.name not in ("id", "agreement_id")]
    rows = session.execute(select(*columns).where(Measurement.agreement_id == agreement_id)).all()
    return {(r.target_key, r.ticket_id): dict(r._mapping) for r in rows}


def test_the_copy_writer_stores_what_the_generic_writer_stores(
    session: Session, world: World, sla_in_force: int
) -> None:
    postgresql_only(session)
    tickets = [ticket(session, world, f"W{i}", MARCH, 1 + i) for i in range(5)]
    session.flush()
    columns = measurement_columns(tickets, [3600, 7200, 100, 0, 20_000])
    measurement_repo.replace(session, sla_in_force, columns, NOW)
    copied = stored_measurements(session, sla_in_force)
    session.execute(delete(Measurement).where(Measurement.agreement_id == sla_in_force))
    table = Measurement.__table__
    assert isinstance(table, Table)
    constants = {"agreement_id": sla_in_force, "computed_at": NOW}
    bulk.insert_generic(session, table, columns.names, columns.rows(), columns.instants, constants)
    generic = stored_measurements(session, sla_in_force)
    assert copied == generic
    assert len(copied) == 5
    assert sum(1 for row in copied.values() if row["stopped_at"] is None) in (2, 3)


def test_the_copy_writer_writes_only_the_rows_gone_changed_or_new(
    session: Session, world: World, sla_in_force: int
) -> None:
    postgresql_only(session)
    tickets = [ticket(session, world, f"W{i}", MARCH, 1 + i) for i in range(5)]
    session.flush()
    measurement_repo.replace(
        session, sla_in_force, measurement_columns(tickets[:4], [3600, 7200, 100, 0]), NOW
    )
    later = NOW + HOUR
    second = measurement_columns(tickets[1:], [7300, 100, 0, 50])  # W0 gone, W1 changed, W4 new
    measurement_repo.replace(session, sla_in_force, second, later)
    copied = stored_measurements(session, sla_in_force)
    session.execute(delete(Measurement).where(Measurement.agreement_id == sla_in_force))
    table = Measurement.__table__
    assert isinstance(table, Table)
    constants = {"agreement_id": sla_in_force, "computed_at": NOW}
    bulk.insert_generic(session, table, second.names, second.rows(), second.instants, constants)
    expected = stored_measurements(session, sla_in_force)
    stamped = {k for k, v in copied.items() if v["ticket_id"] in (tickets[1], tickets[4])}
    for key in stamped:
        expected[key]["computed_at"] = later
    assert copied == expected
    assert {k[1] for k in copied} == set(tickets[1:])


def test_a_recomputation_where_one_ticket_changed_rewrites_exactly_its_measurements(
    session: Session, world: World, sla_in_force: int
) -> None:
    ids = [ticket(session, world, n, MARCH, h) for n, h in (("A", 1), ("B", 5), ("C", 2))]
    session.flush()
    first = recompute.recompute(session, agreement_id=sla_in_force, now=NOW)
    assert first["breaches"] == {"added": 1, "changed": 0}
    before = {m.ticket_id: (m.id, m.computed_at, m.status) for m in measurements(session, ids)}
    session.execute(  # B was resolved within the hour after all
        update(TicketEvent)
        .where(TicketEvent.ticket_id == ids[1], TicketEvent.seq == 1)
        .values(at=MARCH + 0.5 * HOUR)
    )
    later = NOW + HOUR
    again = recompute.recompute(session, agreement_id=sla_in_force, now=later)
    assert again["breaches"] == {"added": 0, "changed": 1}  # B's breach withdrawn
    after = {m.ticket_id: (m.id, m.computed_at, m.status) for m in measurements(session, ids)}
    assert {t: s for t, (_, _, s) in after.items()} == {ids[0]: "met", ids[1]: "met", ids[2]: "met"}
    assert utc(after[ids[1]][1]) == later
    if bulk.is_postgresql(session):  # only the difference is written
        assert after[ids[0]] == before[ids[0]]
        assert after[ids[2]] == before[ids[2]]
    [withdrawn] = session.scalars(select(Breach).where(Breach.agreement_id == sla_in_force))
    assert (withdrawn.ticket_id, withdrawn.status, withdrawn.version) == (ids[1], "withdrawn", 2)


def utc(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo else at.replace(tzinfo=dt.UTC)


def measurements(session: Session, tickets: list[int]) -> list[Measurement]:
    session.expire_all()
    return [m for t in tickets for m in measurement_repo.of_ticket(session, t)]


def misses(rows: list[tuple[str, int, int, int, int, int, int]]) -> breaches.Missed:
    targets = sorted({r[0] for r in rows})
    data: dict[str, bulk_columns.Ints | bulk_columns.Coded] = {
        "target_key": bulk_columns.Coded(
            np.array([targets.index(r[0]) for r in rows], dtype=np.int64), tuple(targets)
        )
    }
    for i, name in enumerate(breaches.MISSED_COLUMNS[1:], start=1):
        data[name] = np.array([r[i] for r in rows], dtype=np.int64)
    return breaches.Missed(bulk_columns.Columns(data))


def stored_breaches(session: Session, agreement_id: int) -> dict[tuple[str, str], Any]:
    columns = [c for c in Breach.__table__.c if c.name != "id"]
    rows = session.execute(select(*columns).where(Breach.agreement_id == agreement_id)).all()
    return {(r.target_key, r.subject): dict(r._mapping) for r in rows}


def test_breaches_synced_by_copy_are_the_breaches_synced_one_by_one(
    session: Session, world: World, sla_in_force: int
) -> None:
    postgresql_only(session)
    t = [ticket(session, world, f"B{i}", MARCH, 5) for i in range(6)]
    session.flush()
    at = int(MARCH.timestamp()) + 14_400
    p1, p2 = "P1-resolution", "P2-resolution"
    earlier = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    breaches.sync_tickets_generic(
        session,
        sla_in_force,
        misses(
            [
                (p1, t[0], 1, at, 18_000, 14_400, 1),  # stays as it is
                (p1, t[1], 1, at, 16_000, 14_400, 0),  # closes, with more time used
                (p1, t[2], 1, at, 15_000, 14_400, 1),  # no longer missed: withdrawn
                (p2, t[3], 1, at, 29_000, 28_800, 1),  # withdrawn now, missed again later
                (p1, t[5], 1, at, 15_000, 14_400, 1),  # outside the tickets synced at the end
            ]
        ),
        earlier,
    )
    breaches.sync_tickets_generic(
        session,
        sla_in_force,
        misses(
            [
                (p1, t[0], 1, at, 18_000, 14_400, 1),
                (p1, t[1], 1, at, 16_000, 14_400, 0),
                (p1, t[2], 1, at, 15_000, 14_400, 1),
                (p1, t[5], 1, at, 15_000, 14_400, 1),
            ]
        ),
        earlier,
    )
    session.execute(
        update(Breach)
        .where(Breach.ticket_id == t[2])
        .values(excluded=True, exclusion_reason="the customer's outage", note="agreed")
    )
    fresh = misses(
        [
            (p1, t[0], 1, at, 18_000, 14_400, 1),
            (p1, t[1], 1, at, 17_000, 14_400, 1),
            (p2, t[3], 1, at + 60, 29_100, 28_800, 1),
            (p1, t[4], 1, at, 14_500, 14_400, 0),  # new
        ]
    )
    now = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    synced = session.begin_nested()
    by_copy = breaches.sync_tickets(session, sla_in_force, fresh, now, t[:5])
    copied = stored_breaches(session, sla_in_force)
    synced.rollback()
    one_by_one = breaches.sync_tickets_generic(session, sla_in_force, fresh, now, t[:5])
    generic = stored_breaches(session, sla_in_force)
    assert by_copy == one_by_one == {"added": 1, "changed": 3}
    assert copied == generic
    statuses = {k[1]: v["status"] for k, v in copied.items()}
    assert statuses == {
        f"ticket:{t[0]}": "closed",
        f"ticket:{t[1]}": "closed",
        f"ticket:{t[2]}": "withdrawn",
        f"ticket:{t[3]}": "closed",
        f"ticket:{t[4]}": "open",
        f"ticket:{t[5]}": "closed",  # not among the tickets synced: left alone
    }
    kept = session.scalar(select(Breach).where(Breach.ticket_id == t[2]))
    assert kept is not None
    assert (kept.excluded, kept.note) == (True, "agreed")


def test_columns_give_the_rows_the_generic_path_writes() -> None:
    columns = bulk_columns.concat(
        [
            bulk_columns.Columns(
                {
                    "key": bulk_columns.Coded(np.array([0, 0]), ("a",)),
                    "at": np.array([5, bulk_columns.MISSING]),
                },
                frozenset({"at"}),
            ),
            bulk_columns.Columns(
                {"key": bulk_columns.Coded(np.array([1, 0]), ("a", "b")), "at": np.array([7, 8])},
                frozenset({"at"}),
            ),
        ]
    )
    assert list(columns.rows()) == [("a", 5), ("a", None), ("b", 7), ("a", 8)]
    assert len(columns) == 4


def test_a_copy_that_is_not_integers_only_is_refused(session: Session, world: World) -> None:
    postgresql_only(session)
    query = select(text("NULL::bigint"))
    with pytest.raises(ValueError, match="NULL"):
        bulk_copy.copy_out(session, query, ["int8"])
