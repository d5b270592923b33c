"""The connectors' HTTP client against a loopback server: retries, bounds and error reasons."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from servicelevel.connectors.base import Auth, ConnectorError
from servicelevel.connectors.http import HttpClient, json_depth_ok, retry_after_seconds

NONE = Auth(kind="none")


class Script:
    """The answers the server gives, in order: (status, headers, body)."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict[str, str], bytes]] = []
        self.seen: list[dict[str, str]] = []


@pytest.fixture
def server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            script.seen.append(dict(self.headers))
            status, headers, body = script.answers.pop(0)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", script
    httpd.shutdown()
    httpd.server_close()


def test_a_429_is_retried_after_the_wait_the_server_asks_for(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(429, {"Retry-After": "7"}, b""), (200, {}, b'{"ok": 1}')]
    waits: list[float] = []
    assert HttpClient(sleep=waits.append).get_json(url, params=None, auth=NONE) == {"ok": 1}
    assert waits == [7.0]


def test_a_401_is_an_error_naming_the_status_and_the_sources_reason(
    server: tuple[str, Script],
) -> None:
    url, script = server
    body = json.dumps({"error": {"message": "User Not Authenticated", "detail": "Required"}})
    script.answers = [(401, {}, body.encode())]
    with pytest.raises(ConnectorError, match=r"401.*User Not Authenticated") as caught:
        HttpClient().get_json(url + "/x?token=abc", params=None, auth=Auth("basic", "u", "pw"))
    assert "abc" not in str(caught.value)
    assert "pw" not in str(caught.value)
    assert script.seen[0]["Authorization"].startswith("Basic ")


def test_server_errors_stop_after_the_retries_are_spent(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(503, {}, b'{"errorMessages": ["down"]}')] * 3
    waits: list[float] = []
    with pytest.raises(ConnectorError, match=r"503.*down"):
        HttpClient(retries=2, sleep=waits.append).get_json(url, params=None, auth=NONE)
    assert waits == [1.0, 2.0]


def test_an_answer_larger_than_the_bound_is_refused(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {}, b'{"a": "' + b"x" * 5000 + b'"}')]
    with pytest.raises(ConnectorError, match="larger than 1000 bytes"):
        HttpClient(max_bytes=1000).get_json(url, params=None, auth=NONE)


def test_an_answer_nested_too_deep_is_refused_before_parsing(server: tuple[str, Script]) -> None:
    url, script = server
    script.answers = [(200, {}, b"[" * 100 + b"]" * 100)]
    with pytest.raises(ConnectorError, match="nests deeper"):
        HttpClient().get_json(url, params=None, auth=NONE)
    assert json_depth_ok('{"a": "[[[[[["}', limit=1)


def test_retry_after_reads_seconds_and_http_dates_and_is_capped() -> None:
    assert retry_after_seconds("3", now=0.0) == 3.0
    assert retry_after_seconds("Thu, 01 Jan 1970 00:00:10 GMT", now=4.0) == 6.0
    assert retry_after_seconds("99999", now=0.0) == 300.0
    assert retry_after_seconds("soon", now=0.0) is None
