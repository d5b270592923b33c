"""Pages through the HTTP interface: sign-in with CSRF, lists, forms with inline errors,
languages, and errors as pages — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.factories import PASSWORD, World


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, username: str) -> str:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/").text)


def test_pages_need_a_signed_in_user(client: TestClient) -> None:
    for path in ("/", "/parties", "/calendars", "/parties/new"):
        r = client.get(path, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (303, "/login"), path


def test_sign_in_checks_the_password_and_the_csrf_token(client: TestClient, world: World) -> None:
    page = client.get("/login")
    bad = client.post(
        "/login", data={"username": "manager", "password": "nope", "csrf": csrf_of(page.text)}
    )
    assert bad.status_code == 401
    assert "wrong username or password" in bad.text
    forged = client.post(
        "/login", data={"username": "manager", "password": PASSWORD, "csrf": "forged"}
    )
    assert forged.status_code == 401
    sign_in(client, "manager")
    home = client.get("/")
    assert "manager" in home.text
    assert 'data-figure="at_risk"' in home.text  # the dashboard is the manager's home


def test_the_party_form_shows_errors_next_to_fields(client: TestClient, world: World) -> None:
    csrf = sign_in(client, "admin")
    r = client.post(
        "/parties/new", data={"code": "NEW", "kind": "supplier", "name": "", "csrf": csrf}
    )
    assert r.status_code == 422
    assert 'id="name-error"' in r.text
    assert "a name is required" in r.text
    assert 'value="NEW"' in r.text  # what was typed is kept
    ok = client.post(
        "/parties/new",
        data={
            "code": "NEW",
            "kind": "supplier",
            "name": "NetCo",
            "name_zh_hans": "网络公司",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    detail = client.get(ok.headers["location"])
    assert "NetCo" in detail.text
    assert "网络公司" in detail.text


def test_a_forged_form_changes_nothing(client: TestClient, world: World) -> None:
    sign_in(client, "admin")
    r = client.post(
        "/parties/new", data={"code": "EVIL", "kind": "supplier", "name": "Evil", "csrf": "forged"}
    )
    assert r.status_code == 400
    assert "EVIL" not in client.get("/parties").text


def test_representatives_see_only_their_party(client: TestClient, world: World) -> None:
    sign_in(client, "customer_rep")
    listing = client.get("/parties").text
    assert "ACME" in listing
    assert "GLOBEX" not in listing
    r = client.get(f"/parties/{world.globex_id}")
    assert r.status_code == 404
    assert "<html" in r.text  # a page, not JSON
    assert "Add a party" not in listing  # no write links for read-only roles


def test_live_search_returns_rows_only(client: TestClient, world: World) -> None:
    sign_in(client, "viewer")
    r = client.get("/parties?q=glob", headers={"HX-Request": "true"})
    assert "<html" not in r.text
    assert "GLOBEX" in r.text
    assert "ACME" not in r.text


def test_the_language_can_be_switched(client: TestClient, world: World) -> None:
    sign_in(client, "viewer")
    client.get("/language/zh_Hans")
    page = client.get("/parties").text
    assert 'lang="zh-Hans"' in page
    assert "相关方" in page
    client.get("/language/zh_Hant")
    assert "相關方" in client.get("/parties").text
    client.get("/language/en")
    assert "Parties" in client.get("/parties").text


def test_the_browser_language_is_the_default(client: TestClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9"}).text
    assert "登入" in page


def test_a_user_changes_their_password(client: TestClient, world: World) -> None:
    csrf = sign_in(client, "viewer")
    differ = client.post(
        "/account/password",
        data={
            "old_password": PASSWORD,
            "new_password": "another long one",
            "confirm": "something else",
            "csrf": csrf,
        },
    )
    assert differ.status_code == 422
    assert 'id="confirm-error"' in differ.text
    wrong = client.post(
        "/account/password",
        data={
            "old_password": "wrong",
            "new_password": "another long one",
            "confirm": "another long one",
            "csrf": csrf,
        },
    )
    assert 'id="old_password-error"' in wrong.text
    ok = client.post(
        "/account/password",
        data={
            "old_password": PASSWORD,
            "new_password": "another long one",
            "confirm": "another long one",
            "csrf": csrf,
        },
    )
    assert ok.status_code == 200
    assert "has been changed" in ok.text


def test_the_audit_page_is_for_those_who_may_read_it(client: TestClient, world: World) -> None:
    sign_in(client, "viewer")
    page = client.get("/audit?object_type=party")
    assert page.status_code == 200
    assert "ACME" in page.text
    client.cookies.clear()
    sign_in(client, "customer_rep")
    assert "Audit trail" not in client.get("/").text
    assert client.get("/audit").status_code == 403


def test_a_calendar_is_added_from_yaml_and_mistakes_name_their_line(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    bad = client.post(
        "/calendars/new",
        data={
            "code": "desk",
            "csrf": csrf,
            "definition": "timezone: Asia/Shanghai\nhours:\n  mon-fri: 9-5\n",
        },
    )
    assert bad.status_code == 422
    assert 'id="definition-error"' in bad.text
    assert "line 3" in bad.text
    assert "cannot read shift" in bad.text
    ok = client.post(
        "/calendars/new",
        follow_redirects=False,
        data={
            "code": "desk",
            "csrf": csrf,
            "definition": "name: Desk\ntimezone: Asia/Shanghai\nhours:\n  mon-fri: 09:00-18:00\n",
        },
    )
    assert ok.status_code == 303
    assert "09:00–18:00" in client.get(ok.headers["location"]).text


def test_editing_a_party_that_changed_meanwhile_is_refused(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    form = client.get(f"/parties/{world.acme_id}/edit").text
    assert 'name="version" value="1"' in form
    fields = {"code": "ACME", "kind": "customer", "name": "Acme Ltd", "csrf": csrf, "version": "1"}
    first = client.post(f"/parties/{world.acme_id}/edit", data=fields, follow_redirects=False)
    assert first.status_code == 303
    stale = client.post(f"/parties/{world.acme_id}/edit", data={**fields, "name": "Lost"})
    assert stale.status_code == 409
    assert "changed by someone else" in stale.text
    assert "Acme Ltd" in client.get(f"/parties/{world.acme_id}").text


def test_errors_with_values_are_translated(client: TestClient, world: World) -> None:
    csrf = sign_in(client, "admin")
    client.get("/language/zh_Hans")
    r = client.post(
        "/parties/new", data={"code": "ACME", "kind": "customer", "name": "Again", "csrf": csrf}
    )
    assert r.status_code == 409
    assert "编码为 ACME 的相关方已存在" in r.text


def test_tickets_list_and_timeline(client: TestClient, session: Session, world: World) -> None:
    from servicelevel.demo.tickets import load_demo_tickets
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.parties import directory as parties

    parties.create_party(
        session, actor=SYSTEM, data=parties.PartyData("CONTOSO", "customer", "Contoso", {})
    )
    load_demo_tickets(session, dt.datetime(2026, 3, 31, 18, tzinfo=dt.UTC), days=14)
    session.flush()
    sign_in(client, "viewer")
    listing = client.get("/tickets?priority=P3")
    assert listing.status_code == 200
    first = re.search(r'href="/tickets/(\d+)"', listing.text)
    assert first
    detail = client.get(f"/tickets/{first.group(1)}").text
    assert "Created" in detail  # the event, in words
    assert "Timeline" in detail


def test_a_users_saved_language_is_used_until_they_choose_another(
    client: TestClient, session: Session, world: World
) -> None:
    from servicelevel.services.identity import accounts as identity
    from servicelevel.services.identity.permissions import SYSTEM

    identity.create_user(
        session,
        actor=SYSTEM,
        username="lin",
        password=PASSWORD,
        roles=[identity.RoleGrant("viewer")],
        locale="zh_Hant",
    )
    session.flush()
    sign_in(client, "lin")
    assert "相關方" in client.get("/parties").text
    client.get("/language/en")
    assert "Parties" in client.get("/parties").text


def test_a_page_says_how_long_the_server_took_in_server_timing(
    client: TestClient, world: World
) -> None:
    sign_in(client, "manager")
    for path in ("/", "/parties", "/api/v1/auth/me"):
        timing = client.get(path).headers["server-timing"]
        match = re.fullmatch(r"app;dur=(\d+\.\d)", timing)
        assert match, (path, timing)
        assert float(match.group(1)) > 0, path
