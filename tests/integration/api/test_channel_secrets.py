"""Notification channels' secrets are encrypted at rest with the deployment's key: the database
(and so every backup, which copies rows as stored) holds only ciphertext, the API never
returns them, and a notice is still signed with the plain secret."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from servicelevel.db import sealing
from servicelevel.db.models import AuditEntry
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.notifications.channels import ChannelData, Parcel
from servicelevel.settings import get_settings
from tests.integration.api.conftest import auth
from tests.integration.factories import World

SECRET = "xoxb-very-secret-token-4711"
CHANNELS = "/api/v1/notification-channels"
NOW = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def stored_secret(session: Session, channel_id: int) -> str:
    query = text("SELECT secret FROM notification_channel WHERE id = :id")
    return str(session.execute(query, {"id": channel_id}).scalar_one())


def test_a_channel_secret_is_stored_encrypted_and_never_returned(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    manager = auth(tokens["manager"])
    body = {"name": "ops", "kind": "webhook", "address": "https://hooks.example/x"}
    made = client.post(CHANNELS, headers=manager, json={**body, "secret": SECRET})
    assert made.status_code == 201, made.text
    channel_id = made.json()["id"]
    stored = stored_secret(session, channel_id)
    assert stored.startswith("fernet:")
    assert SECRET not in stored
    assert sealing.unseal(stored) == SECRET
    for answer in (made, client.get(f"{CHANNELS}/{channel_id}", headers=manager)):
        assert SECRET not in answer.text
        assert answer.json()["has_secret"] is True
    audited = select(AuditEntry).where(AuditEntry.object_type == "notification_channel")
    entries = list(session.scalars(audited))
    assert entries
    assert all(SECRET not in str((e.before, e.after)) for e in entries)
    channel = notifications.get_channel(session, actor=SYSTEM, channel_id=channel_id)
    notifications.update_channel(
        session,
        actor=SYSTEM,
        channel_id=channel_id,
        version=channel.version,
        data=ChannelData(name="ops", kind="webhook", address="https://hooks.example/y"),
    )
    session.flush()
    assert sealing.unseal(stored_secret(session, channel_id)) == SECRET  # empty keeps it


def test_each_sealing_differs_and_reads_back(settings_env: pytest.MonkeyPatch) -> None:
    first, second = sealing.seal(SECRET), sealing.seal(SECRET)
    assert first != second  # a fresh IV each time: equal secrets are not seen as equal
    assert sealing.unseal(first) == sealing.unseal(second) == SECRET
    assert sealing.seal("") == ""


def test_a_rotated_key_still_reads_secrets_while_the_old_one_is_listed(
    settings_env: pytest.MonkeyPatch,
) -> None:
    settings_env.setenv("SLM_SECRET_KEY", "the-old-deployment-key-" + "o" * 40)
    get_settings.cache_clear()
    sealed = sealing.seal(SECRET)
    settings_env.setenv("SLM_SECRET_KEY", "the-new-deployment-key-" + "n" * 40)
    get_settings.cache_clear()
    with pytest.raises(sealing.UnreadableSecretError, match="another key"):
        sealing.unseal(sealed)
    settings_env.setenv("SLM_PREVIOUS_SECRET_KEYS", "the-old-deployment-key-" + "o" * 40)
    get_settings.cache_clear()
    assert sealing.unseal(sealed) == SECRET


def test_a_secret_no_key_opens_fails_its_notice_with_a_reason(
    session: Session, world: World, settings_env: pytest.MonkeyPatch
) -> None:
    made = notifications.create_channel(
        session,
        actor=SYSTEM,
        data=ChannelData(name="hook", kind="webhook", address="http://127.0.0.1:9/x", secret="t"),
    )
    session.flush()
    settings_env.setenv("SLM_SECRET_KEY", "a-key-that-sealed-nothing-" + "z" * 40)
    get_settings.cache_clear()
    parcel = Parcel(0, "warning", {}, "webhook", made.address, made.secret, "en", "UTC", True)
    posted: list[str] = []

    def post(url: str, body: dict[str, Any], headers: dict[str, str]) -> bytes:
        posted.append(url)
        return b""

    error = notifications.send(parcel, now=NOW, post=post)
    assert error is not None
    assert "another key" in error
    assert posted == []  # nothing sent unsigned


def test_a_secret_that_begins_like_a_sealed_one_is_sealed_too(
    session: Session, world: World
) -> None:
    typed = "fernet:my-token-that-happens-to-start-so"
    made = notifications.create_channel(
        session,
        actor=SYSTEM,
        data=ChannelData(name="odd", kind="webhook", address="https://h.example/", secret=typed),
    )
    session.flush()
    stored = stored_secret(session, made.id)
    assert stored != typed
    assert typed not in stored
    assert sealing.unseal(stored) == typed


def test_the_longest_secret_in_chinese_or_emoji_is_kept_whole(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    manager = auth(tokens["manager"])
    for i, secret in enumerate(("密" * 200, "🔑" * 200)):
        body = {"name": f"wide{i}", "kind": "webhook", "address": "https://hooks.example/x"}
        made = client.post(CHANNELS, headers=manager, json={**body, "secret": secret})
        assert made.status_code == 201, made.text
        assert sealing.unseal(stored_secret(session, made.json()["id"])) == secret
