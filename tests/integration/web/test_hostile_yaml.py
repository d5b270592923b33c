"""The YAML forms (new agreement, draft edit, new calendar) check permission before they read
the text, and read it with the bounded reader: a few hundred bytes cannot exhaust the server."""

from __future__ import annotations

import time

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import Actor
from tests.definitions.test_yaml_reader import alias_bomb
from tests.integration.agreement_fixtures import everyone
from tests.integration.factories import World
from tests.integration.web.test_agreement_pages import draft
from tests.integration.web.test_pages import sign_in

BROKEN = "id: [unclosed\n"  # a syntax error: reading it answers 422, refusing first 403


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def forms(client: TestClient, csrf: str) -> dict[str, dict[str, str]]:
    """Each YAML form's URL and its fields; the draft is made by the manager."""
    aid = draft(client, csrf).rsplit("/", 1)[1]
    return {
        "/agreements/new": {"field": "document"},
        f"/agreements/{aid}/versions/1/edit": {"field": "document", "version": "1"},
        "/calendars/new": {"field": "definition", "code": "bomb"},
    }


def post(
    client: TestClient, url: str, form: dict[str, str], csrf: str, text: str
) -> httpx.Response:
    fields = {k: v for k, v in form.items() if k != "field"}
    answer: httpx.Response = client.post(url, data={**fields, form["field"]: text, "csrf": csrf})
    return answer


def test_a_customer_rep_is_refused_before_their_yaml_is_read(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    targets = forms(client, sign_in(client, "manager"))
    csrf = sign_in(client, "customer_rep")
    for url, form in targets.items():
        r = post(client, url, form, csrf, BROKEN)
        assert r.status_code == 403, (url, r.text)
        started = time.perf_counter()
        r = post(client, url, form, csrf, alias_bomb(9))
        assert r.status_code == 403, url
        assert time.perf_counter() - started < 2, url


def test_an_alias_bomb_from_staff_is_a_form_error_naming_line_and_column(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    for url, form in forms(client, csrf).items():
        started = time.perf_counter()
        r = post(client, url, form, csrf, alias_bomb(6))
        assert time.perf_counter() - started < 2, url
        assert r.status_code == 422, url
        assert "line 1: column 5: invalid YAML: anchors and aliases" in r.text, url


def test_deep_nesting_and_repeated_keys_are_form_errors(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    for url, form in forms(client, csrf).items():
        r = post(client, url, form, csrf, "a: " + "[" * 5000 + "]" * 5000)
        assert r.status_code == 422, url
        assert "nested more than 32 levels deep" in r.text, url
        r = post(client, url, form, csrf, "timezone: UTC\ntimezone: Asia/Shanghai\n")
        assert r.status_code == 422, url
        assert "line 2: column 1: invalid YAML: the key" in r.text, url
        assert "given twice (first on line 1)" in r.text, url


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x: !!bool maybe\n", "line 1: column 4: invalid YAML: tags"),
        ("x: !!timestamp 2020-13-45\n", "line 1: column 4: invalid YAML: tags"),
        (
            "a: !!python/object/apply:os.system ['echo hi']\n",
            "line 1: column 4: invalid YAML: tags",
        ),
        ("x: " + "9" * 5000 + "\n", "the number has more than 4,300 digits"),
        (
            'name: "\\ud800"\ntimezone: UTC\n',
            "line 1: column 7: invalid YAML: the text holds a lone",
        ),
    ],
    ids=["bool-tag", "timestamp-tag", "python-tag", "long-number", "lone-surrogate"],
)
def test_values_the_reader_cannot_make_are_form_errors_never_a_server_error(
    client: TestClient, actors: dict[str, Actor], text: str, message: str
) -> None:
    csrf = sign_in(client, "manager")
    for url, form in forms(client, csrf).items():
        r = post(client, url, form, csrf, text)
        assert r.status_code == 422, (url, r.status_code)
        assert message in r.text, url


def test_a_long_flow_list_is_refused_at_the_value_limit_in_seconds(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    """A 1 MiB flow list took 62 s and 435 MB; now the value limit (20,000) stops it early."""
    csrf = sign_in(client, "manager")
    text = "a: [" + ",".join(["1"] * 45_000) + "]\n"  # 90 KB: within every form's length
    for url, form in forms(client, csrf).items():
        started = time.perf_counter()
        r = post(client, url, form, csrf, text)
        assert time.perf_counter() - started < 10, url
        assert r.status_code == 422, url
        assert "the document holds more than 20,000 values" in r.text, url
