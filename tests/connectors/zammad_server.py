"""A loopback server that answers as Zammad's REST API does (docs.zammad.org, "API" → Tickets,
Ticket history; and the API introduction for authentication), serving real tickets made from
the help-desk event log in /work/shared/data/ (``helpdesk_event_log.csv.gz``).

Zammad cannot run here, so the generic REST connector and the shipped ``zammad`` mapping are
tested against this server. What it follows from the published documents:

- ``GET /api/v1/tickets/search?query=…&sort_by=…&order_by=asc|desc&expand=true&page=N&per_page=M``
  answers a JSON array of tickets; with ``expand=true`` the related objects are named
  (``state``, ``priority``, ``group``, ``organization``, ``customer``, ``owner``) beside their ids.
  The query understands ``*`` and the range forms ``updated_at:>X`` and ``updated_at:>=X``
  (Elasticsearch query-string syntax, as Zammad's search does). ``per_page`` is capped at 200;
- ``GET /api/v1/ticket_history/{id}`` answers ``{"history": [...], "assets": {}}`` with entries
  ``id, o_id, history_type, history_object, history_attribute, value_from, value_to,
  created_at, created_by_id``; a ticket's creation is a ``created`` entry, each state change
  an ``updated`` entry of the attribute ``state``;
- authentication by ``Authorization: Token token=…`` (an access token) or HTTP basic; without
  it: 401 ``{"error": "authentication failed"}``; an unknown ticket: 404
  ``{"error": "Couldn't find Ticket with 'id'=…"}``; instants in UTC, ``…T…​.000Z``.

Each help-desk case becomes ticket ``10000 + N`` ("Case N" is its title); its events become the
state history (the activity is the state's name: Zammad's states are configurable), its last
event's attributes the ticket's: ``priority`` the service level, ``type`` the service type,
``group`` the workgroup, ``organization`` the customer. Local times are read in Europe/Rome, as
``examples/helpdesk/mapping.yaml`` reads them, so a pull and a file import agree.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import io
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

from tests.connectors import loopback
from tests.connectors.loopback import answer_json

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
HELPDESK = DATA / "helpdesk_event_log.csv.gz"
ROME = ZoneInfo("Europe/Rome")
TOKEN = "zammad-test-token"  # the access token the tests send (not a secret)
MAX_PER_PAGE = 200


def zammad_time(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def helpdesk_head(rows: int) -> bytes:
    """The help-desk log's header and first ``rows`` rows, as they are (CRLF kept)."""
    with gzip.open(HELPDESK, "rb") as handle:
        return b"".join(islice(handle, rows + 1))


@dataclass
class Store:
    """Tickets and their histories, as a Zammad instance would hold them."""

    tickets: list[dict[str, Any]] = field(default_factory=list)
    history: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # paths asked, in order
    fail_after: int | None = None  # answer 503 once this many requests were answered


def store_from_helpdesk(text: bytes) -> Store:
    """The tickets of a help-desk log (its header and rows)."""
    reader = csv.reader(io.StringIO(text.decode("utf-8"), newline=""))
    header = next(reader)
    cases: dict[str, list[dict[str, str]]] = {}
    seen: set[tuple[str, ...]] = set()
    for row in reader:
        if tuple(row) in seen:  # a row given twice, word for word, is one change in Zammad
            continue
        seen.add(tuple(row))
        record = dict(zip(header, row, strict=False))  # the second Variant column repeats
        cases.setdefault(record["Case ID"], []).append(record)
    store, entry = Store(), 0
    for tid, (case, events) in enumerate(cases.items(), start=1):
        at = [
            dt.datetime.strptime(e["Complete Timestamp"], "%Y/%m/%d %H:%M:%S").replace(tzinfo=ROME)
            for e in events
        ]
        last = events[-1]
        entry += 1
        history = [_entry(entry, tid, "created", "", "", "", at[0], last)]
        previous = ""
        for event, when in zip(events, at, strict=True):
            entry += 1
            history.append(
                _entry(entry, tid, "updated", "state", previous, event["Activity"], when, event)
            )
            previous = event["Activity"]
        store.history[tid] = history
        store.tickets.append(_ticket(tid, case, last, at[0], at[-1]))
    return store


def _entry(
    eid: int,
    tid: int,
    kind: str,
    attribute: str,
    before: str,
    after: str,
    when: dt.datetime,
    event: dict[str, str],
) -> dict[str, Any]:
    return {
        "id": eid,
        "o_id": tid,
        "history_type": kind,
        "history_object": "Ticket",
        "history_attribute": attribute or None,
        "value_from": before or None,
        "value_to": after or None,
        "id_from": None,
        "id_to": None,
        "created_by_id": int(event["Resource"].removeprefix("Value ")),
        "created_at": zammad_time(when),
    }


def _ticket(
    tid: int, case: str, last: dict[str, str], opened: dt.datetime, updated: dt.datetime
) -> dict[str, Any]:
    number = 10000 + int(case.removeprefix("Case "))
    return {
        "id": tid,
        "group_id": int(last["workgroup"].removeprefix("Value ")),
        "priority_id": int(last["service_level"].removeprefix("Value ")),
        "state_id": 4,
        "organization_id": int(last["customer"].removeprefix("Value ")),
        "number": str(number),
        "title": case,
        "owner_id": int(last["Resource"].removeprefix("Value ")),
        "customer_id": 2,
        "type": last["service_type"],
        "note": None,
        "article_count": 1,
        "escalation_at": None,
        "pending_time": None,
        "preferences": {},
        "created_at": zammad_time(opened),
        "updated_at": zammad_time(updated),
        # expand=true: the related objects by name
        "state": last["Activity"],
        "priority": last["service_level"],
        "group": last["workgroup"],
        "organization": last["customer"],
        "customer": "customer@example.com",
        "owner": f"agent{last['Resource'].removeprefix('Value ')}@example.com",
        "created_by": "agent@example.com",
        "updated_by": "agent@example.com",
    }


def _matches(ticket: dict[str, Any], query: str) -> bool:
    """``*`` or ``updated_at:>X`` / ``updated_at:>=X`` (the forms the connector sends)."""
    query = query.strip()
    if query in ("", "*"):
        return True
    for op in (">=", ">"):
        prefix = f"updated_at:{op}"
        if query.startswith(prefix):
            bound = _instant(query.removeprefix(prefix).strip('"'))
            value = _instant(ticket["updated_at"])
            return value >= bound if op == ">=" else value > bound
    raise ValueError(f"query not understood: {query}")


def _instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


class Handler(BaseHTTPRequestHandler):
    store: Store  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the answers."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.store.requests.append(self.path)
        if self.store.fail_after is not None and len(self.store.requests) > self.store.fail_after:
            self.store.fail_after = None
            return self._answer(503, {"error": "Service Unavailable"})
        if not self._authenticated():
            return self._answer(401, {"error": "authentication failed"})
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/api/v1/tickets/search":
            return self._search(query)
        if url.path.startswith("/api/v1/ticket_history/"):
            tid = url.path.removeprefix("/api/v1/ticket_history/")
            if not tid.isdigit() or int(tid) not in self.store.history:
                return self._answer(404, {"error": f"Couldn't find Ticket with 'id'={tid}"})
            return self._answer(200, {"history": self.store.history[int(tid)], "assets": {}})
        return self._answer(404, {"error": "No route matches"})

    def _authenticated(self) -> bool:
        given = self.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(b"agent@example.com:secret").decode()
        return given in (f"Token token={TOKEN}", basic)

    def _search(self, query: dict[str, str]) -> None:
        try:
            found = [t for t in self.store.tickets if _matches(t, query.get("query", ""))]
            page = int(query.get("page", "1"))
            per_page = min(int(query.get("per_page", "50")), MAX_PER_PAGE)
        except ValueError as exc:
            return self._answer(422, {"error": str(exc)})
        key = query.get("sort_by", "updated_at")
        found.sort(key=lambda t: (str(t.get(key, "")), t["id"]))
        if query.get("order_by", "asc") == "desc":
            found.reverse()
        chosen = found[(page - 1) * per_page : page * per_page]
        if query.get("expand") != "true":  # without expand: ids only, as Zammad answers
            names = ("state", "priority", "group", "organization", "customer", "owner")
            chosen = [{k: v for k, v in t.items() if k not in names} for t in chosen]
        return self._answer(200, chosen)

    def _answer(self, status: int, body: Any) -> None:
        answer_json(self, status, body, content_type="application/json; charset=utf-8")


def serving(store: Store) -> AbstractContextManager[str]:
    """The server on a free loopback port while the block runs; yields its base URL."""
    return loopback.serving(Handler, "ZammadHandler", store)
