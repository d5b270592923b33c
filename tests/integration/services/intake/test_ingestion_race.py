"""Two requests creating the same new ticket at the same moment (PostgreSQL, two connections):
the one that loses the race takes the ticket as existing instead of failing."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest

from servicelevel.db import migrate
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.db.session import make_engine, session_factory
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.intake import ingestion
from servicelevel.services.intake.events import EventData
from tests.integration.conftest import fresh_postgres


@pytest.fixture
def url() -> Iterator[str]:
    with fresh_postgres() as pg:
        migrate.upgrade(pg)
        yield pg


def events(state: str, minutes: int) -> list[EventData]:
    at = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC) + dt.timedelta(minutes=minutes)
    return [EventData(ticket="R1", at=at, state=state, service="email", priority="P1")]


def test_the_loser_of_a_race_to_create_a_ticket_adds_its_events_to_it(url: str) -> None:
    engine = make_engine(url)
    sessions = session_factory(engine)
    outcome: list[object] = []

    def second() -> None:
        with sessions() as session:
            try:  # blocks on the unique index until the first commits, then retries
                outcome.append(
                    ingestion.ingest(
                        session,
                        actor=SYSTEM,
                        source="race",
                        events=events("New", 0) + events("In Progress", 5),
                    )
                )
                session.commit()
            except Exception as exc:
                outcome.append(exc)

    with sessions() as first:
        ingestion.ingest(first, actor=SYSTEM, source="race", events=events("New", 0))
        racer = threading.Thread(target=second)
        racer.start()
        time.sleep(0.5)  # the second request is now waiting on the ticket's unique key
        first.commit()
    racer.join(timeout=30)
    [result] = outcome
    assert isinstance(result, ingestion.IngestResult), result
    assert (result.stored, result.duplicates, result.tickets_created) == (1, 1, 0)
    with sessions() as session:
        [ticket] = repo.tickets_by_numbers(session, "race", ["R1"])
        assert [e.state for e in repo.events_of(session, ticket.id)] == ["New", "In Progress"]
    engine.dispose()
