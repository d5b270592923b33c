"""Request bodies are limited per route before anything reads them: an anonymous 50 MB body
to the token route is refused without a byte read; a body streamed without a length stops at
the limit; the import routes take more, but only from a caller with a valid token (or, on the
survey import page, a signed-in session); both kinds of 413 look alike."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session
from starlette.types import Message

from servicelevel.api.limits import limit_for
from servicelevel.db.models import ApiToken
from servicelevel.settings import get_settings
from tests.integration.api.conftest import auth
from tests.integration.api.test_ingestion_api import BATCH
from tests.integration.factories import World
from tests.integration.web.test_pages import sign_in

MIB = 1 << 20
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Chunks:
    """A body sent in 1 MiB chunks, counting how many the server asked for."""

    def __init__(self, count: int) -> None:
        self.count, self.sent = count, 0

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.count):
            self.sent += 1
            yield b"x" * MIB


@pytest.fixture
def small_import_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SLM_MAX_IMPORT_BODY_BYTES", str(3 * MIB))
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SLM_MAX_IMPORT_BODY_BYTES")
    get_settings.cache_clear()


def in_a_loop_of_its_own(work: Coroutine[Any, Any, None]) -> None:
    """Drive the ASGI app straight (the test client reads a whole body before sending it) on
    an event loop of its own, in another thread: earlier tests of the session may have left a
    loop running in this one (Playwright's sync API, whose browser lives for the session)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, work).result()


def padded(document: dict[str, object], size: int) -> bytes:
    """Valid JSON of ``size`` bytes: the document, then spaces."""
    text = json.dumps(document).encode()
    return text + b" " * (size - len(text))


def test_a_50_mb_anonymous_body_to_the_token_route_is_refused_unread(client: TestClient) -> None:
    body = Chunks(50)
    r = client.post(
        "/api/v1/auth/tokens",
        content=iter(body),
        headers={"Content-Length": str(50 * MIB), "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json() == {
        "error": {
            "status": 413,
            "code": "too_large",
            "message": "the request body is larger than this route accepts (1,048,576 bytes)",
            "field": "body",
        }
    }
    assert body.sent == 0


def test_a_body_streamed_without_a_length_stops_at_the_limit(client: TestClient) -> None:
    """Straight through ASGI (the test client reads a body whole before sending it): the
    server asks for chunks one at a time and stops asking at the limit."""
    body = Chunks(50)
    json_type = [(b"content-type", b"application/json")]
    status, _, raw = streamed(client, "/api/v1/auth/tokens", body, json_type)
    assert status == 413
    answer = json.loads(raw)
    assert answer["error"]["code"] == "too_large"
    assert body.sent == 2  # the first megabyte is within the limit, the second passes it


def test_a_body_at_the_limit_reaches_the_route(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/auth/tokens",
        content=padded({"username": "nobody", "password": "wrong"}, MIB),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code in (401, 422)  # read and judged, not refused for its size


def test_an_import_route_takes_a_body_over_the_default_limit(
    client: TestClient, tokens: dict[str, str]
) -> None:
    body = padded({"source": "itsm", "events": BATCH}, 3 * MIB)
    headers = {**auth(tokens["admin"]), "Content-Type": "application/json"}
    r = client.post("/api/v1/ticket-events", content=body, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 3
    other = client.post("/api/v1/parties", content=body, headers=headers)
    assert other.status_code == 413


def test_the_import_limit_is_a_setting(
    client: TestClient, tokens: dict[str, str], small_import_limit: None
) -> None:
    headers = {**auth(tokens["admin"]), "Content-Type": "application/json"}
    body = padded({"source": "itsm", "events": BATCH}, 4 * MIB)
    r = client.post("/api/v1/ticket-events", content=body, headers=headers)
    assert r.status_code == 413
    assert "(3,145,728 bytes)" in r.json()["error"]["message"]


def test_a_web_form_over_the_limit_is_refused_with_the_error_page(client: TestClient) -> None:
    r = client.post("/login", data={"username": "x" * (2 * MIB), "password": "y", "csrf": "z"})
    assert r.status_code == 413
    assert r.headers["content-type"].startswith("text/html")
    assert "What was sent is too large." in r.text  # in words, not the API's byte count
    assert "<html" in r.text


def streamed(
    client: TestClient, path: str, body: Chunks, headers: list[tuple[bytes, bytes]]
) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` to ``path`` straight through ASGI, without a Content-Length."""
    pieces = iter(body)
    sent: list[Message] = []

    async def receive() -> Message:
        chunk = next(pieces, b"")
        return {"type": "http.request", "body": chunk, "more_body": bool(chunk)}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    in_a_loop_of_its_own(client.app(scope, receive, send))  # type: ignore[arg-type]
    start = sent[0]
    head = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], head, b"".join(m.get("body", b"") for m in sent[1:])


def test_a_413_looks_the_same_declared_or_streamed(client: TestClient) -> None:
    """API: the JSON error shape naming field body; pages: the error page."""
    api = client.post(
        "/api/v1/auth/tokens",
        content=b"x" * (2 * MIB),
        headers={"Content-Type": "application/json"},
    )
    status, head, body = streamed(
        client, "/api/v1/auth/tokens", Chunks(3), [(b"content-type", b"application/json")]
    )
    assert (api.status_code, status) == (413, 413)
    assert json.loads(body) == api.json()
    assert api.json()["error"]["field"] == "body"
    assert head["content-type"] == api.headers["content-type"] == "application/json"
    page = client.post("/login", content=b"x" * (2 * MIB), headers=FORM)
    status, head, body = streamed(
        client, "/login", Chunks(3), [(b"content-type", FORM["Content-Type"].encode())]
    )
    assert (page.status_code, status) == (413, 413)
    assert page.headers["content-type"] == head["content-type"] == "text/html; charset=utf-8"
    assert "What was sent is too large." in body.decode()
    assert page.text.count("What was sent is too large.") == body.decode().count(
        "What was sent is too large."
    )


def test_an_anonymous_import_gets_only_the_default_limit(client: TestClient) -> None:
    """FastAPI decodes a JSON body before it looks at the token: without one, an import route
    takes no more than any other."""
    events = b'{"events":[' + b"[]," * (2 * MIB // 3) + b"[]]}"
    r = client.post(
        "/api/v1/ticket-events", content=events, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413
    assert "(1,048,576 bytes)" in r.json()["error"]["message"]
    assert "with an API token" in r.json()["error"]["message"]
    status, _, body = streamed(
        client, "/api/v1/ticket-events", Chunks(3), [(b"content-type", b"application/json")]
    )
    assert status == 413
    assert json.loads(body)["error"]["field"] == "body"


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/ticket-events",
        "/api/v1/ticket-events/queue",
        "/api/v1/webhooks/servicenow",
        "/api/v1/outages/import",
        "/api/v1/surveys/import",
    ],
)
def test_an_import_with_an_unknown_token_is_refused_before_its_body_is_read(
    client: TestClient, world: World, path: str
) -> None:
    body = Chunks(5)
    r = client.post(
        path,
        content=iter(body),
        headers={
            "Authorization": "Bearer slm_not-a-token",
            "Content-Length": str(5 * MIB),
            "Content-Type": "application/json",
        },
    )
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthenticated"
    assert r.headers["www-authenticate"] == "Bearer"
    assert body.sent == 0


def test_a_revoked_token_gets_no_import_allowance(
    client: TestClient, session: Session, tokens: dict[str, str]
) -> None:
    session.execute(update(ApiToken).values(revoked_at=dt.datetime.now(dt.UTC)))
    session.flush()
    body = Chunks(3)
    headers = {
        **auth(tokens["admin"]),
        "Content-Type": "application/json",
        "Content-Length": str(3 * MIB),
    }
    r = client.post("/api/v1/ticket-events", content=iter(body), headers=headers)
    assert r.status_code == 401
    assert r.json()["error"]["message"] == "unknown or revoked token"
    assert body.sent == 0


def test_the_survey_import_page_takes_an_import_from_a_signed_in_user_only(
    client: TestClient, world: World
) -> None:
    csv = "x" * (2 * MIB)
    anonymous = client.post("/surveys/import", data={"csv": csv, "csrf": "z"})
    assert anonymous.status_code == 413
    csrf = sign_in(client, "manager")
    r = client.post("/surveys/import", data={"csv": csv, "csrf": csrf})
    assert r.status_code != 413
    assert r.status_code < 500


def test_a_content_length_that_is_not_a_number_is_a_bad_request(client: TestClient) -> None:
    r = client.post(
        "/api/v1/auth/tokens",
        content=b"{}",
        headers={"Content-Length": "many", "Content-Type": "application/json"},
    )
    assert r.status_code == 400
    assert r.json()["error"]["field"] == "body"


@pytest.mark.parametrize(
    ("method", "path", "limit"),
    [
        ("POST", "/api/v1/ticket-events", 16 * MIB),
        ("POST", "/api/v1/ticket-events/queue", 16 * MIB),
        ("POST", "/api/v1/webhooks/jira", 16 * MIB),
        ("POST", "/api/v1/outages/import", 16 * MIB),
        ("POST", "/api/v1/surveys/import", 16 * MIB),
        ("POST", "/surveys/import", 16 * MIB),
        ("POST", "/api/v1/auth/tokens", MIB),
        ("POST", "/api/v1/surveys", MIB),
        ("PATCH", "/api/v1/ticket-events", MIB),
        ("POST", "/api/v1/ticket-events/queue/7", MIB),
        ("POST", "/agreements/new", MIB),
    ],
)
def test_limits_by_route(method: str, path: str, limit: int) -> None:
    assert limit_for(method, path) == limit
    assert limit_for(method, path, known=False) == MIB


def test_the_import_limit_covers_the_largest_batch_of_the_servicenow_log() -> None:
    """The largest 5,000-row batch of the shipped benchmark log, posted to the ServiceNow
    webhook, is 4.6 MB: the default import limit leaves more than three times that."""
    assert get_settings().max_import_body_bytes >= 3 * 4_788_291
