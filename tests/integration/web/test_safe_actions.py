"""Safe actions on the pages: signing asks for the password again, every form's redirect
leaves a message shown once, destructive buttons ask first, and the navigation lists only
what the role may use."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import Actor
from tests.integration.agreement_fixtures import everyone
from tests.integration.factories import PASSWORD, World
from tests.integration.web.test_agreement_pages import draft, press
from tests.integration.web.test_pages import csrf_of, sign_in


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def approved(client: TestClient) -> tuple[str, str]:
    """An SLA drafted, proposed and approved by the manager: its URL and its page."""
    url = draft(client, sign_in(client, "manager"))
    aid = url.rsplit("/", 1)[1]
    page = client.get(url).text
    page = press(client, f"/agreements/{aid}/versions/1/steps", page, step="propose")
    page = press(client, f"/agreements/{aid}/versions/1/steps", page, step="approve")
    return url, page


def test_the_sign_form_names_the_version_and_links_its_document(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    url, page = approved(client)
    aid = url.rsplit("/", 1)[1]
    form = re.search(rf'action="/agreements/{aid}/versions/1/sign".*?</form>', page, re.S)
    assert form
    assert "Sign version 1" in form.group(0)
    assert f'href="/agreements/{aid}/document?number=1&amp;language=en"' in form.group(0)
    assert 'type="password" id="sign-password" name="password"' in form.group(0)
    assert "data-confirm=" in form.group(0)


def test_a_wrong_password_signs_nothing_and_says_so_at_the_field(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    url, page = approved(client)
    aid = url.rsplit("/", 1)[1]
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    r = client.post(
        f"/agreements/{aid}/versions/1/sign",
        data={"csrf": fields["csrf"], "version": "1", "password": "not my password"},
    )
    assert r.status_code == 422
    assert 'aria-invalid="true" aria-describedby="sign-password-error"' in r.text
    assert "the password is wrong" in r.text
    after = client.get(url).text
    assert "Signatures</dt>\n    <dd>—" in after  # nobody has signed
    assert "Sign version 1" in after  # the form is still offered


def test_signing_with_the_password_signs_and_says_which_version_once(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    url, page = approved(client)
    aid = url.rsplit("/", 1)[1]
    page = press(client, f"/agreements/{aid}/versions/1/sign", page, password=PASSWORD)
    assert 'class="flash success" role="status"' in page
    assert "Version 1 is signed." in page
    assert "Sign version 1" not in page  # this side has signed
    assert "Version 1 is signed." not in client.get(url).text  # shown once


def test_every_form_redirect_leaves_the_plain_message_in_the_page_language(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    url, page = approved(client)
    aid = url.rsplit("/", 1)[1]
    client.get("/language/zh_Hans")
    page = press(client, f"/agreements/{aid}/versions/1/comments", page, body="好的")
    assert "更改已保存。" in page
    assert "更改已保存。" not in client.get(url).text


def test_a_forged_message_cookie_shows_nothing(client: TestClient, world: World) -> None:
    sign_in(client, "manager")
    client.cookies.set("slm_flash", "forged.text")
    page = client.get("/agreements").text
    assert 'class="flash' not in page


def test_destructive_buttons_ask_first_and_look_destructive(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    _, page = approved(client)
    terminate = re.search(r'<form[^>]*action="[^"]*/terminate"[^>]*>', page)
    new_version = re.search(r'<form[^>]*action="[^"]*/new-version"[^>]*>', page)
    assert new_version
    assert "Version 1, which is Approved, is withdrawn." in new_version.group(0)
    assert terminate is None  # not in force: nothing to terminate yet
    assert 'class="danger"' in page


def test_a_representative_sees_only_the_groups_of_the_navigation_it_may_use(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    sign_in(client, "customer_rep")
    nav = re.search(r'<nav id="main-nav".*?</nav>', client.get("/agreements").text, re.S)
    assert nav
    assert 'href="/audit"' not in nav.group(0)
    assert 'href="/templates"' not in nav.group(0)
    assert 'href="/work"' not in nav.group(0)
    assert ">Admin<" not in nav.group(0)
    assert 'href="/agreements" aria-current="true"' in nav.group(0)
    client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    sign_in(client, "manager")
    nav = re.search(r'<nav id="main-nav".*?</nav>', client.get("/").text, re.S)
    assert nav
    assert 'href="/audit"' in nav.group(0)
    assert ">Admin<" in nav.group(0)


def test_sign_in_sign_out_and_the_api_leave_no_message(client: TestClient, world: World) -> None:
    page = client.get("/login").text
    r = client.post(
        "/login",
        data={"username": "manager", "password": PASSWORD, "csrf": csrf_of(page)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "slm_flash" not in r.headers.get("set-cookie", "")
    api = client.post("/api/v1/auth/tokens", json={"username": "nobody", "password": "x"})
    assert api.status_code in (401, 422)
    assert "slm_flash" not in api.headers.get("set-cookie", "")
    out = client.post("/logout", data={"csrf": csrf_of(client.get("/").text)})
    assert 'class="flash' not in out.text


def test_a_form_sent_after_the_session_ended_does_not_say_it_was_saved(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    url, page = approved(client)
    aid = url.rsplit("/", 1)[1]
    csrf = csrf_of(page)
    client.cookies.delete("slm_session")
    r = client.post(
        f"/agreements/{aid}/versions/1/comments",
        data={"csrf": csrf, "body": "late"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"].endswith("/login")
    assert "slm_flash" not in r.headers.get("set-cookie", "")
