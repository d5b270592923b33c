"""Browser sessions end on the server, cannot be forged with the key once published, and travel
in a Secure cookie over https; every answer carries the security headers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

import servicelevel.web
from servicelevel.app import create_app
from servicelevel.db.models import Party
from servicelevel.settings import get_settings
from servicelevel.web.sessions import COOKIE
from tests.integration.factories import PASSWORD, World
from tests.integration.web.test_pages import sign_in
from tests.test_deployment_key import PUBLISHED


@pytest.fixture
def app_sessions(session: Session) -> sessionmaker[Session]:
    return sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def other_browser(app_sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    with TestClient(create_app(sessions=app_sessions), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def https_browser(app_sessions: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(sessions=app_sessions)
    with TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


def signed_in(client: TestClient) -> bool:
    return bool(client.get("/", follow_redirects=False).status_code == 200)


def test_a_cookie_forged_with_the_published_key_opens_nothing(
    client: TestClient, session: Session, world: World
) -> None:
    forged = URLSafeTimedSerializer(PUBLISHED, salt="slm-web-session").dumps(
        {"uid": world.actors["owner"].user_id, "csrf": "x"}
    )
    client.cookies.set(COOKIE, forged)
    r = client.get("/audit", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/login")
    parties = session.scalar(select(func.count()).select_from(Party))
    form = {"code": "EVIL", "kind": "supplier", "name": "Forged Ltd", "csrf": "x"}
    r = client.post("/parties/new", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert session.scalar(select(func.count()).select_from(Party)) == parties


def test_a_cookie_replayed_after_signing_out_opens_nothing(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "owner")
    kept = client.cookies.get(COOKIE)
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert not signed_in(client)
    client.cookies.set(COOKIE, kept or "")
    assert not signed_in(client)
    assert client.get("/audit", follow_redirects=False).status_code == 303


def test_signing_out_ends_the_users_sessions_in_other_browsers_too(
    client: TestClient, other_browser: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    sign_in(other_browser, "manager")
    client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert not signed_in(other_browser)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(
    client: TestClient, other_browser: TestClient, world: World
) -> None:
    csrf = sign_in(client, "viewer")
    sign_in(other_browser, "viewer")
    form = {
        "old_password": PASSWORD,
        "new_password": "another good password",
        "confirm": "another good password",
        "csrf": csrf,
    }
    assert client.post("/account/password", data=form).status_code == 200
    assert signed_in(client)
    assert not signed_in(other_browser)


def test_the_session_cookie_is_secure_over_https_only(
    client: TestClient, https_browser: TestClient, world: World
) -> None:
    plain = client.get("/login").headers["set-cookie"]
    assert "secure" not in plain.lower()
    assert "httponly" in plain.lower()
    secure = https_browser.get("/login").headers["set-cookie"]
    assert "; secure" in secure.lower()


def test_a_trusted_proxy_or_the_setting_makes_the_cookie_secure(
    client: TestClient, settings_env: pytest.MonkeyPatch, world: World
) -> None:
    proxied = {"X-Forwarded-Proto": "https"}
    assert "secure" not in client.get("/login", headers=proxied).headers["set-cookie"].lower()
    settings_env.setenv("SLM_TRUST_FORWARDED_PROTO", "true")
    get_settings.cache_clear()
    r = client.get("/login", headers=proxied)
    assert "secure" in r.headers["set-cookie"].lower()
    assert "strict-transport-security" in r.headers
    settings_env.delenv("SLM_TRUST_FORWARDED_PROTO")
    settings_env.setenv("SLM_COOKIE_SECURE", "true")
    get_settings.cache_clear()
    assert "secure" in client.get("/login").headers["set-cookie"].lower()


def test_pages_and_the_api_carry_the_security_headers(
    client: TestClient, https_browser: TestClient, world: World
) -> None:
    for path in ("/login", "/api/v1/auth/me", "/static/app.css"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        policy = dict(
            d.strip().split(" ", 1) for d in headers["content-security-policy"].split(";")
        )
        assert policy["frame-ancestors"] == "'none'"
        assert policy["script-src"] == "'self'"  # no inline script, no eval
        assert "strict-transport-security" not in headers  # plain http: no HSTS
    assert "max-age=" in https_browser.get("/login").headers["strict-transport-security"]


def test_no_page_carries_an_inline_script() -> None:
    """The policy allows scripts from files only: an onclick="…" would silently stop working."""
    templates = Path(servicelevel.web.__file__).parent / "templates"
    inline = re.compile(r"\son[a-z]+\s*=|<script(?![^>]*\ssrc=)", re.IGNORECASE)
    found = [p.name for p in templates.rglob("*.html") if inline.search(p.read_text("utf-8"))]
    assert found == []


def test_hsts_covers_subdomains_only_when_the_setting_says_so(
    https_browser: TestClient, settings_env: pytest.MonkeyPatch, world: World
) -> None:
    assert https_browser.get("/login").headers["strict-transport-security"] == ("max-age=31536000")
    settings_env.setenv("SLM_HSTS_INCLUDE_SUBDOMAINS", "true")
    get_settings.cache_clear()
    assert https_browser.get("/login").headers["strict-transport-security"] == (
        "max-age=31536000; includeSubDomains"
    )
