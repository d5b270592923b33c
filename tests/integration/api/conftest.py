"""An API client bound to the test's transaction, and a token per persona."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from servicelevel.services import identity
from tests.integration.factories import World


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
