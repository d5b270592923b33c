"""A loopback server that answers as a ServiceNow instance's REST API does, serving real incidents
made from a small slice of the ServiceNow incident event log in /work/shared/data/
(``servicenow_incident_event_log.csv.gz``).

ServiceNow cannot run here, so the ``servicenow`` source is tested against this server. What it
follows from the published documents:

- "Table API" (REST API reference): ``GET /api/now/table/{tableName}`` answers
  ``{"result": [...]}``; ``sysparm_query`` is an encoded query (``^`` between conditions, the
  operators ``=``, ``>=``, ``IN`` and ``ORDERBY``/``ORDERBYDESC``, the ones the source sends),
  ``sysparm_limit`` and ``sysparm_offset`` page it (the default limit is 10,000), the answer
  carries ``X-Total-Count`` and a ``Link`` header (``first``, ``prev``, ``next``, ``last``);
  ``sysparm_display_value`` ``false`` (stored values), ``true`` (display values) or ``all``
  (``{"display_value", "value"}`` for each field), ``sysparm_fields`` the fields answered;
- "Sys Audit and Audit Relationship Change tables" and "Audited table information": each change
  of an audited field is a ``sys_audit`` row (``tablename``, ``fieldname``, ``documentkey`` the
  record's sys_id, ``oldvalue``/``newvalue`` stored values — a reference's sys_id, an instant
  in UTC —, ``record_checkpoint`` the record's update count, ``sys_created_on``); inserts are
  audited only when ``audit_inserts`` is set (an instance property);
- choice labels in ``sys_choice`` (``name``, ``element``, ``value``, ``label``, ``language``,
  ``inactive``) and reference names in the referenced table (``sys_user_group.name``);
- "OAuth API request parameters": ``POST /oauth_token.do`` with a form
  (``application/x-www-form-urlencoded``) of ``grant_type`` (``password`` or
  ``client_credentials``), ``client_id``, ``client_secret`` and for ``password`` the user's
  ``username`` and ``password``, answering ``access_token``, ``refresh_token``, ``scope``,
  ``token_type`` and ``expires_in``; a refused request is a 401
  ``{"error_description": "access_denied", "error": "server_error"}``;
- authentication by HTTP basic or ``Authorization: Bearer <token>``; without it a 401
  ``{"error": {"message": "User Not Authenticated", "detail": "Required to provide Auth
  information"}, "status": "failure"}``;
- "Inbound REST API rate limiting": a request over the limit is a 429 with ``Retry-After``
  (seconds) and ``X-RateLimit-*`` headers and an error message.

Each log incident becomes an incident whose fields are its last row's and whose sys_audit rows
are the changes between its consecutive rows (``record_checkpoint`` the row's
``sys_mod_count``); the log's times are taken as UTC, as the shipped mapping reads them.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import gzip
import hashlib
import io
import json
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.connectors import loopback
from tests.connectors.loopback import answer_json

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
SERVICENOW_LOG = DATA / "servicenow_incident_event_log.csv.gz"
USER, PASSWORD = "sn.integration", "sn-test-password"  # the tests' account (not a secret)
CLIENT_ID, CLIENT_SECRET = "c0ffee0c0ffee0c0ffee0c0ffee0c0ff", "sn-test-client-secret"
LOG_TIME = "%d/%m/%Y %H:%M"
SN_TIME = "%Y-%m-%d %H:%M:%S"
STATES = {
    "New": "1",
    "Active": "2",
    "Awaiting Problem": "3",
    "Awaiting User Info": "4",
    "Awaiting Evidence": "5",
    "Resolved": "6",
    "Closed": "7",
    "Awaiting Vendor": "8",
}
PRIORITIES = {"1 - Critical": "1", "2 - High": "2", "3 - Moderate": "3", "4 - Low": "4"}
AUDITED = ("incident_state", "state", "priority", "category", "assignment_group")
REFERENCES = {
    "assignment_group": "sys_user_group",
    "company": "core_company",
    "business_service": "cmdb_ci_service",
}


def log_head(rows: int) -> bytes:
    """The log's header and first ``rows`` rows, as they are."""
    with gzip.open(SERVICENOW_LOG, "rb") as handle:
        return b"".join(islice(handle, rows + 1))


def sys_id(*parts: str) -> str:
    return hashlib.md5("/".join(parts).encode(), usedforsecurity=False).hexdigest()


@dataclass
class Store:
    """Tables as an instance holds them (stored values), and what the tests arrange."""

    tables: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)  # paths asked, in order
    tokens: set[str] = field(default_factory=set)
    fail_at: set[int] = field(default_factory=set)  # answer 503 to these requests (1-based)
    limit_at: set[int] = field(default_factory=set)  # answer 429 to these requests
    retry_after: str = "7"
    audit_inserts: bool = False
    custom_fields: tuple[str, ...] = ("u_sla_deadline", "u_sla_breached")  # made by an admin
    now: dt.datetime = dt.datetime(2017, 6, 1, 12, 0, tzinfo=dt.UTC)  # the instance's clock

    def add_company(self, name: str) -> str:
        """A company (``core_company``) made by an admin; its sys_id."""
        made = sys_id("company", name)
        self.tables["core_company"].append({"sys_id": made, "name": name})
        return made

    def incident(self, number: str) -> dict[str, str]:
        return next(i for i in self.tables["incident"] if i["number"] == number)

    def update(self, number: str, at: dt.datetime, **changes: str) -> None:
        """Change an incident as an update in the instance does: its fields, its update count
        and instant, and a sys_audit row for each audited field that changed."""
        incident = self.incident(number)
        checkpoint = str(int(incident["sys_mod_count"]) + 1)
        stamp = at.astimezone(dt.UTC).strftime(SN_TIME)
        for name, value in changes.items():
            if name in AUDITED and incident.get(name, "") != value:
                self.tables["sys_audit"].append(
                    _audit(incident, name, incident.get(name, ""), value, checkpoint, stamp)
                )
            incident[name] = value
        incident["sys_mod_count"] = checkpoint
        incident["sys_updated_on"] = stamp


def _audit(
    incident: dict[str, str], name: str, old: str, new: str, checkpoint: str, stamp: str
) -> dict[str, str]:
    return {
        "sys_id": sys_id("audit", incident["sys_id"], name, checkpoint),
        "tablename": "incident",
        "fieldname": name,
        "documentkey": incident["sys_id"],
        "oldvalue": old,
        "newvalue": new,
        "record_checkpoint": checkpoint,
        "sys_created_on": stamp,
        "user": "integration",
        "reason": "",
    }


def store_from_log(text: bytes, *, audit_inserts: bool = False) -> Store:
    """The incidents of a slice of the log (its header and rows)."""
    rows = list(csv.DictReader(io.StringIO(text.decode("ascii"))))
    by_number: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_number.setdefault(row["number"], []).append(row)
    groups = sorted({r["assignment_group"] for r in rows if r["assignment_group"] != "?"})
    categories = sorted({r["category"] for r in rows if r["category"] != "?"})
    store = Store(audit_inserts=audit_inserts)
    store.tables = {
        "incident": [],
        "sys_audit": [],
        "sys_user_group": [{"sys_id": sys_id("group", g), "name": g} for g in groups],
        "core_company": [],
        "cmdb_ci_service": [],
        "sys_choice": [
            *(_choice("incident_state", v, label) for label, v in STATES.items()),
            *(_choice("state", v, label) for label, v in STATES.items()),
            *(_choice("priority", v, label) for label, v in PRIORITIES.items()),
            *(_choice("category", _category(c), c) for c in categories),
            _choice("incident_state", "9", "Etat annule", language="fr"),  # another language
        ],
    }
    for number, events in by_number.items():
        values = [_values(e) for e in events]
        first, last = events[0], events[-1]
        incident = {
            "sys_id": sys_id("incident", number),
            "number": number,
            "short_description": f"Incident {number}",
            "company": "",
            "business_service": "",
            **values[-1],
            "opened_at": _stamp(first["opened_at"]),
            "sys_created_on": _stamp(first["sys_updated_at"]),
            "sys_updated_on": _stamp(last["sys_updated_at"]),
            "sys_mod_count": last["sys_mod_count"],
        }
        store.tables["incident"].append(incident)
        if audit_inserts:
            for name in AUDITED:
                if values[0][name]:
                    store.tables["sys_audit"].append(
                        _audit(incident, name, "", values[0][name], "0", incident["sys_created_on"])
                    )
        for before, after, event in zip(values, values[1:], events[1:], strict=False):
            for name in AUDITED:
                if before[name] != after[name]:
                    store.tables["sys_audit"].append(
                        _audit(
                            incident,
                            name,
                            before[name],
                            after[name],
                            event["sys_mod_count"],
                            _stamp(event["sys_updated_at"]),
                        )
                    )
    return store


def _values(row: dict[str, str]) -> dict[str, str]:
    """A log row's audited fields as stored values."""
    state = STATES.get(row["incident_state"], row["incident_state"])
    group = row["assignment_group"]
    return {
        "incident_state": state,
        "state": state,
        "priority": PRIORITIES[row["priority"]],
        "category": _category(row["category"]) if row["category"] != "?" else "",
        "assignment_group": sys_id("group", group) if group != "?" else "",
    }


def _category(label: str) -> str:
    return label.lower().replace(" ", "_")


def _choice(element: str, value: str, label: str, language: str = "en") -> dict[str, str]:
    return {
        "sys_id": sys_id("choice", element, value, language),
        "name": "incident",
        "element": element,
        "value": value,
        "label": label,
        "language": language,
        "inactive": "false",
    }


def _stamp(log_time: str) -> str:
    return dt.datetime.strptime(log_time, LOG_TIME).strftime(SN_TIME)  # noqa: DTZ007


class QueryError(ValueError):
    pass


def matching(rows: list[dict[str, str]], query: str) -> list[dict[str, str]]:
    """The rows an encoded query selects, in its order (sys_id last, so pages are stable)."""
    conditions: list[tuple[str, str, str]] = []
    order: list[tuple[str, bool]] = []
    for term in (t for t in query.split("^") if t):
        if term.startswith("ORDERBYDESC"):
            order.append((term.removeprefix("ORDERBYDESC"), True))
        elif term.startswith("ORDERBY"):
            order.append((term.removeprefix("ORDERBY"), False))
        elif "IN" in term and term.split("IN", 1)[0].isidentifier():
            name, _, values = term.partition("IN")
            conditions.append((name, "IN", values))
        elif ">=" in term:
            name, _, value = term.partition(">=")
            conditions.append((name, ">=", value))
        elif "=" in term:
            name, _, value = term.partition("=")
            conditions.append((name, "=", value))
        else:
            raise QueryError(term)
    found = [r for r in rows if all(_holds(r, c) for c in conditions)]
    for name, descending in [*reversed(order)]:
        found.sort(key=lambda r: r.get(name, ""), reverse=descending)
    return found


def _holds(row: dict[str, str], condition: tuple[str, str, str]) -> bool:
    name, op, value = condition
    have = row.get(name, "")
    if op == "IN":
        return have in value.split(",")
    if op == ">=":
        return have >= value
    return have == value


class Handler(BaseHTTPRequestHandler):
    store: Store  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the answers."""

    def _arranged(self) -> bool:
        """A 503 or 429 the test arranged for this request (answered here)."""
        number = len(self.store.requests)
        if number in self.store.fail_at:
            self._answer(503, {"error": {"message": "Service Unavailable"}, "status": "failure"})
            return True
        if number in self.store.limit_at:
            headers = {
                "Retry-After": self.store.retry_after,
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Rule": sys_id("rule"),
            }
            error = {"message": "Rate limit exceeded", "detail": "Too many requests this hour"}
            self._answer(429, {"error": error, "status": "failure"}, headers)
            return True
        return False

    def do_POST(self) -> None:
        self.store.requests.append(self.path)
        if self._arranged():
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode()
        if urlsplit(self.path).path != "/oauth_token.do":
            return self._answer(405, {"error": {"message": "Method not Supported"}})
        if not self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            return self._answer(400, {"error": "server_error", "error_description": "invalid"})
        form = {k: v[-1] for k, v in parse_qs(body).items()}
        grant = form.get("grant_type")
        client_ok = (
            form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
        )
        user_ok = grant == "client_credentials" or (
            grant == "password" and (form.get("username"), form.get("password")) == (USER, PASSWORD)
        )
        if not (client_ok and user_ok):
            return self._answer(
                401, {"error_description": "access_denied", "error": "server_error"}
            )
        token = sys_id("token", str(len(self.store.tokens)))
        self.store.tokens.add(token)
        answer = {
            "access_token": token,
            "refresh_token": sys_id("refresh", token),
            "scope": "useraccount",
            "token_type": "Bearer",
            "expires_in": 1799,
        }
        return self._answer(200, answer)

    def do_PATCH(self) -> None:
        """Table API update: fields the table has are set (others ignored, as the instance
        does); the answer is the record (``sysparm_fields``)."""
        url = urlsplit(self.path)
        self.store.requests.append(self.path)
        if self._arranged():
            return
        if not self._authenticated():
            error = {
                "message": "User Not Authenticated",
                "detail": "Required to provide Auth information",
            }
            return self._answer(401, {"error": error, "status": "failure"})
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        table, _, key = url.path.removeprefix("/api/now/table/").partition("/")
        row = next((r for r in self.store.tables.get(table, []) if r["sys_id"] == key), None)
        if row is None:
            error = {
                "message": "No Record found",
                "detail": "Record doesn't exist or ACL restricts the record retrieval",
            }
            return self._answer(404, {"error": error, "status": "failure"})
        known = set(row) | set(self.store.custom_fields)
        changed = {k: str(v) for k, v in body.items() if k in known}
        row.update(changed)
        row["sys_mod_count"] = str(int(row.get("sys_mod_count", "0")) + 1)
        row["sys_updated_on"] = self.store.now.strftime(SN_TIME)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        fields = [f for f in query.get("sysparm_fields", "").split(",") if f in row]
        return self._answer(200, {"result": self._row(row, fields, "false")})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.store.requests.append(self.path)
        if self._arranged():
            return
        if not self._authenticated():
            error: dict[str, Any] = {
                "message": "User Not Authenticated",
                "detail": "Required to provide Auth information",
            }
            return self._answer(401, {"error": error, "status": "failure"})
        table = url.path.removeprefix("/api/now/table/")
        if not url.path.startswith("/api/now/table/") or table not in self.store.tables:
            error = {"message": "Invalid table " + table, "detail": None}
            return self._answer(400, {"error": error, "status": "failure"})
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            found = matching(self.store.tables[table], query.get("sysparm_query", ""))
            limit = int(query.get("sysparm_limit", "10000"))
            offset = int(query.get("sysparm_offset", "0"))
        except (QueryError, ValueError) as exc:
            error = {"message": "Invalid query", "detail": str(exc)}
            return self._answer(400, {"error": error, "status": "failure"})
        chosen = found[offset : offset + limit]
        fields = [f for f in query.get("sysparm_fields", "").split(",") if f]
        shown = query.get("sysparm_display_value", "false")
        result = [self._row(r, fields, shown) for r in chosen]
        return self._answer(200, {"result": result}, self._paging(url.path, query, len(found)))

    def _paging(self, path: str, query: dict[str, str], total: int) -> dict[str, str]:
        limit = int(query.get("sysparm_limit", "10000"))
        offset = int(query.get("sysparm_offset", "0"))
        base = f"http://{self.headers.get('Host')}{path}"

        def link(at: int, rel: str) -> str:
            return f'<{base}?{urlencode({**query, "sysparm_offset": str(at)})}>;rel="{rel}"'

        links = [link(0, "first")]
        if offset > 0:
            links.append(link(max(offset - limit, 0), "prev"))
        if offset + limit < total:
            links.append(link(offset + limit, "next"))
        links.append(link(max((total - 1) // limit * limit, 0), "last"))
        return {"X-Total-Count": str(total), "Link": ",".join(links)}

    def _row(self, row: dict[str, str], fields: list[str], shown: str) -> dict[str, Any]:
        names = fields or list(row)
        if shown == "false":
            return {n: row.get(n, "") for n in names}
        out: dict[str, Any] = {}
        for name in names:
            value = row.get(name, "")
            display = self._display(name, value)
            out[name] = {"display_value": display, "value": value} if shown == "all" else display
        return out

    def _display(self, name: str, value: str) -> str:
        if not value:
            return ""
        table = REFERENCES.get(name)
        if table is not None:
            return next((r["name"] for r in self.store.tables[table] if r["sys_id"] == value), "")
        for choice in self.store.tables["sys_choice"]:
            if (choice["element"], choice["value"], choice["language"]) == (name, value, "en"):
                return choice["label"]
        return value

    def _authenticated(self) -> bool:
        given = self.headers.get("Authorization", "")
        basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if given == basic:
            return True
        return given.startswith("Bearer ") and given.removeprefix("Bearer ") in self.store.tokens

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        answer_json(self, status, body, headers)


def serving(store: Store) -> AbstractContextManager[str]:
    """The server on a free loopback port while the block runs; yields its base URL."""
    return loopback.serving(Handler, "ServiceNowHandler", store)
