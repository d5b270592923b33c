"""Lock-out and the end of tokens through the API: wrong passwords are counted although the
request fails, a locked account answers like an unknown one, and a revoked token or a changed
password counts at once in every server process."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicelevel.db.models import ApiToken, User
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import MAX_FAILURES
from tests.integration.api.conftest import auth
from tests.integration.factories import PASSWORD, World
from tests.integration.web.test_pages import csrf_of

TOKENS = "/api/v1/auth/tokens"


def ask(client: TestClient, username: str, password: str) -> tuple[int, object]:
    r = client.post(TOKENS, json={"username": username, "password": password})
    return r.status_code, r.json()


def test_ten_wrong_passwords_through_the_api_lock_the_account(
    client: TestClient, session: Session, world: World
) -> None:
    for _ in range(10):
        assert ask(client, "manager", "not the password")[0] == 401
    user = session.scalars(select(User).where(User.username == "manager")).one()
    session.refresh(user)
    assert user.locked_until is not None
    assert user.locked_until > dt.datetime.now(dt.UTC)
    locked = ask(client, "manager", PASSWORD)
    unknown = ask(client, "nobody-by-that-name", PASSWORD)
    assert locked == unknown
    assert locked[0] == 401


def test_the_failure_count_outlives_the_refused_request(
    client: TestClient, session: Session, world: World
) -> None:
    assert ask(client, "viewer", "wrong")[0] == 401
    user = session.scalars(select(User).where(User.username == "viewer")).one()
    session.refresh(user)
    assert user.failed_logins == 1


def test_web_and_api_share_one_failure_count(client: TestClient, world: World) -> None:
    for _ in range(MAX_FAILURES - 2):
        csrf = csrf_of(client.get("/login").text)
        r = client.post("/login", data={"username": "admin", "password": "no", "csrf": csrf})
        assert r.status_code == 401
    for _ in range(2):
        assert ask(client, "admin", "no")[0] == 401
    assert ask(client, "admin", PASSWORD) == ask(client, "ghost", PASSWORD)
    csrf = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": "admin", "password": PASSWORD, "csrf": csrf})
    assert r.status_code == 401
    assert "wrong username or password" in r.text


def test_a_token_revoked_elsewhere_is_refused_at_once(
    client: TestClient, session: Session, tokens: dict[str, str]
) -> None:
    """Another server process revoked it: all this one has is the database's word."""
    token = tokens["manager"]
    assert client.get("/api/v1/auth/me", headers=auth(token)).status_code == 200
    now = dt.datetime.now(dt.UTC)
    session.execute(update(ApiToken).values(revoked_at=now))
    session.flush()
    assert client.get("/api/v1/auth/me", headers=auth(token)).status_code == 401


def test_a_user_disabled_elsewhere_loses_their_token_at_once(
    client: TestClient, session: Session, tokens: dict[str, str]
) -> None:
    token = tokens["viewer"]
    assert client.get("/api/v1/auth/me", headers=auth(token)).status_code == 200
    session.execute(update(User).where(User.username == "viewer").values(is_active=False))
    session.flush()
    assert client.get("/api/v1/auth/me", headers=auth(token)).status_code == 401


def test_a_new_password_ends_every_token_of_the_user(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    second = identity.issue_token(session, actor=world.actors["manager"], name="feed")
    session.flush()
    for token in (tokens["manager"], second):
        assert client.get("/api/v1/auth/me", headers=auth(token)).status_code == 200
    r = client.post(
        "/api/v1/auth/password",
        headers=auth(tokens["manager"]),
        json={"old_password": PASSWORD, "new_password": "a brand new password"},
    )
    assert r.status_code == 204
    for token in (tokens["manager"], second):
        assert client.get("/api/v1/auth/me", headers=auth(token)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=auth(tokens["viewer"])).status_code == 200
    assert ask(client, "manager", "a brand new password")[0] == 201
