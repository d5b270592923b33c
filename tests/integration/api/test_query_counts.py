"""List endpoints cost the same number of queries for 2 rows as for 102 (no N+1)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from tests.integration.api.conftest import auth


@contextmanager
def counting(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []
    connection = session.connection()

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(connection, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", count)


def test_listing_parties_does_not_grow_with_the_page(
    client: TestClient, session: Session, tokens: dict[str, str]
) -> None:
    headers = auth(tokens["viewer"])
    client.get("/api/v1/parties", headers=headers)  # warm up (token last-use write)
    with counting(session) as few:
        assert len(client.get("/api/v1/parties", headers=headers).json()["items"]) == 2
    for i in range(100):
        parties.create_party(
            session, actor=SYSTEM, data=parties.PartyData(f"P{i:03d}", "supplier", f"S{i}", {})
        )
    session.flush()
    with counting(session) as many:
        assert len(client.get("/api/v1/parties?limit=200", headers=headers).json()["items"]) == 102
    assert len(many) == len(few)
    assert 2 <= len(few) <= 6  # token with user and roles, count, page (+ savepoints)
