"""The generic REST source (kind ``rest``) against loopback servers: the Zammad one of
zammad_server.py (real help-desk tickets, Zammad's documented search and history answers) with
the settings of examples/connectors/zammad.yaml, and a small list server for the other
pagination styles. A pull of the Zammad server, read with the zammad mapping, gives the events
a file import of the same log gives."""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from tests.connectors import zammad_server
from tests.connectors.zammad_server import HELPDESK, TOKEN, Store, helpdesk_head, serving

from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.registry import SOURCES
from servicelevel.connectors.rest import RestSource, next_link
from servicelevel.definitions.source import read_yaml
from servicelevel.definitions.ticket_mappings import (
    load_mapping,
    map_records,
    parse_mapping,
    read_rows,
    shipped_text,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "connectors" / "zammad.yaml"
ROWS = 2000  # the first 2,000 rows of the help-desk log: 431 tickets
needs_data = pytest.mark.skipif(not HELPDESK.exists(), reason="the shared data is not here")
TOKEN_AUTH = Auth(kind="token_header", header="Authorization", secret=f"Token token={TOKEN}")


def example_settings(**changes: Any) -> dict[str, Any]:
    settings: dict[str, Any] = dict(read_yaml(EXAMPLE).data["settings"])
    settings.pop("auth")
    return {**settings, **changes}


def source(url: str, auth: Auth = TOKEN_AUTH, **changes: Any) -> RestSource:
    return RestSource(
        base_url=url, auth=auth, settings=example_settings(**changes), http=HttpClient()
    )


@pytest.fixture(scope="module")
def helpdesk() -> bytes:
    if not HELPDESK.exists():
        pytest.skip("the shared data is not beside the project")
    return helpdesk_head(ROWS)


@pytest.fixture
def zammad(helpdesk: bytes) -> Iterator[tuple[str, Store]]:
    store = zammad_server.store_from_helpdesk(helpdesk)
    with serving(store) as url:
        yield url, store


@needs_data
def test_a_pull_reads_every_ticket_page_by_page_with_its_state_changes(
    zammad: tuple[str, Store],
) -> None:
    url, store = zammad
    pages = list(source(url).pages(cursor=None, since=None))
    assert len(pages) == math.ceil(len(store.tickets) / 100) + (len(store.tickets) % 100 == 0)
    records = [r for p in pages for r in p.records]
    changes = sum(len(h) - 1 for h in store.history.values())  # less each "created" entry
    assert len(records) == changes
    assert {r["history"]["history_attribute"] for r in records} == {"state"}
    latest = max(t["updated_at"] for t in store.tickets)
    assert pages[-1].cursor == latest
    cursors = [p.cursor or "" for p in pages]
    assert cursors == sorted(cursors)
    asked = [p for p in store.requests if p.startswith("/api/v1/tickets/search")]
    assert "query=updated_at%3A%3E%3D1970-01-01T00%3A00%3A00Z" in asked[0]
    assert "expand=true" in asked[0]
    assert "sort_by=updated_at" in asked[0]


@needs_data
def test_a_pull_resumes_from_its_cursor_and_a_backfill_date_starts_there(
    zammad: tuple[str, Store],
) -> None:
    url, store = zammad
    first = list(source(url, max_pages=2).pages(cursor=None, since=None))
    assert len(first) == 2  # a run reads at most max_pages pages
    cursor = first[-1].cursor
    rest = list(source(url).pages(cursor=cursor, since=None))
    seen = {r["number"] for p in first + rest for r in p.records}
    assert seen == {t["number"] for t in store.tickets}
    again = {r["number"] for p in rest for r in p.records}
    assert all(t["updated_at"] >= str(cursor) for t in store.tickets if t["number"] in again)
    since = dt.datetime(2011, 1, 1, tzinfo=dt.UTC)
    late = list(source(url).pages(cursor=None, since=since))
    numbers = {r["number"] for p in late for r in p.records}
    expected = {t["number"] for t in store.tickets if t["updated_at"] >= "2011-01-01T00:00:00Z"}
    assert numbers == expected
    assert 0 < len(numbers) < len(store.tickets)


@needs_data
def test_the_pulled_tickets_read_with_the_zammad_mapping_are_the_file_imports_events(
    zammad: tuple[str, Store], helpdesk: bytes, tmp_path: Path
) -> None:
    url, _ = zammad
    text = shipped_text("zammad").replace("service: it-support", "service: helpdesk")
    mapping = parse_mapping(text, "helpdesk-zammad")  # a stored copy: the help desk's service
    records = [r for p in source(url).pages(cursor=None, since=None) for r in p.records]
    pulled, rejected = map_records(records, mapping)
    assert rejected == []
    path = tmp_path / "helpdesk.csv"
    path.write_bytes(helpdesk)
    rows, problems = read_rows(path, load_mapping(str(ROOT / "examples/helpdesk/mapping.yaml")))
    assert [p for p in problems if p.fatal] == []
    assert by_ticket(pulled, lambda n: f"Case {int(n) - 10000}") == by_ticket(rows, str)


def by_ticket(rows: list[dict[str, Any]], name: Any) -> dict[str, Any]:
    """Each ticket's timeline (UTC instant, state) and what it ends with."""
    out: dict[str, Any] = {}
    for r in sorted(rows, key=lambda r: r["at"]):  # stable: ties keep their order
        one = out.setdefault(name(r["ticket"]), {"timeline": []})
        one["timeline"].append((r["at"].astimezone(dt.UTC), r["state"]))
        for field in ("priority", "category", "customer", "service"):
            one[field] = r[field] or one.get(field, "")
        one["team"] = r["attributes"].get("team", "")
    return out


@needs_data
def test_a_wrong_token_is_the_sources_error_and_a_missing_ticket_history_too(
    zammad: tuple[str, Store],
) -> None:
    url, store = zammad
    wrong = Auth(kind="token_header", header="Authorization", secret="Token token=nope")
    with pytest.raises(ConnectorError, match="401"):
        list(source(url, auth=wrong).pages(cursor=None, since=None))
    store.history.pop(1)
    with pytest.raises(ConnectorError, match="404"):
        list(source(url).pages(cursor=None, since=None))


def test_the_rest_kind_is_registered() -> None:
    assert SOURCES["rest"] is RestSource


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"pagination": {"style": "cursor"}}, "settings.pagination.style"),
        ({"page_size": 5000}, "settings.page_size"),
        ({"cursor": {"param": "q"}}, "settings.cursor.field"),
        ({"colour": "red"}, "settings.colour"),
        ({"path": "https://elsewhere.example/api"}, "settings.path"),
        ({"params": {"q": "{nothing}"}}, "settings.params.q"),
    ],
)
def test_a_setting_that_cannot_be_used_is_named(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(ConnectorError, match=named.replace(".", r"\.")):
        list(source("http://127.0.0.1:9", **changes).pages(cursor=None, since=None))


RECORDS = [{"id": i, "changed": f"2026-03-0{1 + i // 4}T0{i % 4}:00:00Z"} for i in range(10)]


class ListHandler(BaseHTTPRequestHandler):
    """A list of records, paged as ``style`` says, sorted by ``changed``."""

    style = "offset"
    elsewhere = False

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(url.query).items()}
        since = q.get("since", "")
        found = [r for r in RECORDS if str(r["changed"]) >= since]
        headers: dict[str, str] = {}
        if self.style == "offset":
            start, size = int(q["offset"]), int(q["limit"])
            body: Any = {"data": {"items": found[start : start + size]}}
        else:
            start, size = int(q.get("from", "0")), int(q["size"])
            chunk = found[start : start + size]
            host = "http://elsewhere.example" if self.elsewhere else ""
            more = f"{host}/items?since={since}&from={start + size}&size={size}"
            link = more if start + size < len(found) else None
            body = {"data": {"items": chunk}, "links": {"next": link}}
            if self.style == "link_header" and link:
                headers["Link"] = f'<{link}>; rel="next", </items?from=0>; rel="first"'
        data = json.dumps(body).encode()
        self.send_response(200)
        for k, v in {"Content-Type": "application/json", **headers}.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def list_server(style: str, elsewhere: bool = False) -> Iterator[str]:
    handler = type("H", (ListHandler,), {"style": style, "elsewhere": elsewhere})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def list_settings(style: str) -> dict[str, Any]:
    return {
        "path": "/items",
        "records_path": "data.items",
        "cursor": {"field": "changed", "param": "since"},
        "pagination": {
            "style": style,
            "offset_param": "offset",
            "limit_param": "limit",
            "size_param": "size",
            "next_path": "links.next",
        },
        "page_size": 4,
    }


def pull(url: str, style: str, cursor: str | None = None) -> list[Page]:
    none = Auth(kind="none")
    made = RestSource(base_url=url, auth=none, settings=list_settings(style), http=HttpClient())
    return list(made.pages(cursor=cursor, since=None))


@pytest.mark.parametrize("style", ["offset", "next_link", "link_header"])
def test_each_pagination_style_reads_every_record_once(style: str) -> None:
    with list_server(style) as url:
        pages = pull(url, style)
        assert [r["id"] for p in pages for r in p.records] == list(range(10))
        assert pages[-1].cursor == RECORDS[-1]["changed"]
        resumed = pull(url, style, cursor=str(RECORDS[6]["changed"]))
        assert [r["id"] for p in resumed for r in p.records] == [6, 7, 8, 9]


def test_a_next_link_to_another_host_is_refused() -> None:
    with (
        list_server("next_link", elsewhere=True) as url,
        pytest.raises(ConnectorError, match="leads away"),
    ):
        pull(url, "next_link")


def test_a_records_path_that_is_not_an_array_is_named() -> None:
    with list_server("offset") as url:
        settings = {**list_settings("offset"), "records_path": "data"}
        made = RestSource(
            base_url=url, auth=Auth(kind="none"), settings=settings, http=HttpClient()
        )
        with pytest.raises(ConnectorError, match=r"settings\.records_path"):
            list(made.pages(cursor=None, since=None))


def test_a_link_header_gives_its_next_link() -> None:
    header = '<https://x/a?page=2>; rel="next", <https://x/a?page=9>; rel="last"'
    assert next_link(header) == "https://x/a?page=2"
    assert next_link('<https://x/a?page=9>; rel="last"') is None
    assert next_link("") is None
