"""``SLM_THREADS`` sizes the thread pool that runs sync endpoints in each server process."""

from __future__ import annotations

from collections.abc import Iterator

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.app import create_app
from servicelevel.settings import get_settings


@pytest.fixture
def three_threads(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SLM_THREADS", "3")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def limit(client: TestClient) -> float:
    assert client.portal is not None
    return client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)


def test_the_thread_pool_takes_its_size_from_the_setting(
    session: Session, three_threads: None
) -> None:
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    with TestClient(create_app(sessions=sessions)) as client:
        assert limit(client) == 3
        assert client.get("/api/v1/openapi.json").status_code == 200
