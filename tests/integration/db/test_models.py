"""Model behaviour that must hold on both databases: UTC instants, constraints, versions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from servicelevel.db.models import AuditEntry, CalendarRecord, Contact, Party, User


def test_instants_come_back_as_the_same_utc_instant(session: Session) -> None:
    shanghai = dt.datetime(2025, 10, 1, 9, 30, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
    session.add(AuditEntry(at=shanghai, action="create", object_type="party", object_id="1"))
    session.flush()
    session.expire_all()
    entry = session.scalars(select(AuditEntry)).one()
    assert entry.at == shanghai
    assert entry.at.utcoffset() == dt.timedelta(0)


def test_a_naive_datetime_is_refused(session: Session) -> None:
    session.add(AuditEntry(at=dt.datetime(2025, 1, 1), action="x", object_type="y", object_id="1"))
    with pytest.raises(StatementError, match="timezone-aware"):
        session.flush()


def test_foreign_keys_and_checks_are_enforced(session: Session) -> None:
    session.add(Contact(party_id=999_999, name="Nobody"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    session.add(Party(code="X", kind="alien", name="X"))
    with pytest.raises(IntegrityError):
        session.flush()


def test_json_definitions_round_trip(session: Session) -> None:
    definition = {"timezone": "Asia/Shanghai", "hours": {"mon-fri": ["09:00-12:00"]}, "名": "北京"}
    session.add(
        CalendarRecord(code="bj", name="北京", timezone="Asia/Shanghai", definition=definition)
    )
    session.flush()
    session.expire_all()
    assert session.scalars(select(CalendarRecord)).one().definition == definition


def test_a_stale_update_is_refused_not_silently_applied(engine: Engine) -> None:
    with Session(engine) as setup:
        setup.add(Party(code="C1", kind="customer", name="Contoso"))
        setup.commit()
    try:
        # both read version 1 (in transactions of their own, as two web requests would)
        with (
            Session(engine, expire_on_commit=False) as alice,
            Session(engine, expire_on_commit=False) as bob,
        ):
            a = alice.scalars(select(Party).where(Party.code == "C1")).one()
            alice.commit()
            b = bob.scalars(select(Party).where(Party.code == "C1")).one()
            bob.commit()
            a.name = "Contoso Finance"
            alice.commit()
            b.name = "Contoso Ltd"
            with pytest.raises(StaleDataError):
                bob.commit()
        with Session(engine) as check:
            party = check.scalars(select(Party).where(Party.code == "C1")).one()
            assert (party.name, party.version) == ("Contoso Finance", 2)
    finally:
        with Session(engine) as cleanup:
            cleanup.execute(delete(Party).where(Party.code == "C1"))
            cleanup.commit()


def test_usernames_are_unique(session: Session) -> None:
    session.add_all([User(username="li.wei"), User(username="li.wei")])
    with pytest.raises(IntegrityError):
        session.flush()
