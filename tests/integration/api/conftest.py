"""An API client bound to the test's transaction, and a token per persona."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.api.app import create_app
from servicelevel.services import identity
from tests.integration.factories import World


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
