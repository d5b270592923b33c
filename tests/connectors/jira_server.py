"""A loopback server that answers as Jira Cloud's REST API v3 does, serving issues made from the
same slice of the real ServiceNow incident event log as servicenow_server.py (Jira Service
Management data cannot be published; the log's incidents go through the same states).

Jira cannot run here, so the ``jira`` source is tested against this server. What it follows
from Atlassian's published "Jira Cloud platform REST API v3" documents:

- "Issue search": ``GET /rest/api/3/search/jql`` with ``jql``, ``maxResults`` (default 50),
  ``fields`` (a comma-separated list; without it the issues carry their id only),
  ``expand=changelog`` and ``nextPageToken``; the answer is ``{"issues": [...],
  "nextPageToken": …, "isLast": …}``, each issue ``{"id", "key", "self", "fields"}`` and with
  ``expand=changelog`` a ``changelog`` ``{"startAt", "maxResults", "total", "histories"}``
  whose histories come newest first and may be fewer than ``total`` (``changelog_limit``
  here); "recent updates might not be immediately visible" (``hidden`` here); the JQL
  understood is the connector's: ``updated >= 'yyyy/MM/dd HH:mm'`` (minutes, in
  the user's time zone), ``project = KEY``, ``AND``, parentheses and ``ORDER BY updated ASC,
  key ASC``; JQL it does not understand is a 400 ``{"errorMessages": ["Error in the JQL
  Query: …"], "errors": {}}``;
- "Issues" → "Get changelogs": ``GET /rest/api/3/issue/{issueIdOrKey}/changelog`` with
  ``startAt``/``maxResults`` answers ``{"self", "nextPage", "maxResults", "startAt", "total",
  "isLast", "values"}``, oldest first; each history ``{"id", "author", "created", "items"}``,
  each item ``{"field", "fieldtype", "fieldId", "from", "fromString", "to", "toString"}``;
- "Basic auth for REST APIs": an account's e-mail address and an API token; a request without
  valid credentials is a 401 with an ``errorMessages`` body; instants are written
  ``2016-02-29T01:23:00.000+0000``;
- "Rate limiting": a request over the limit is a 429 with ``Retry-After`` (seconds);
- and, for Jira Server / Data Center, "Jira Server platform REST API" (v2): ``GET
  /rest/api/2/search`` with ``jql``, ``startAt``, ``maxResults``, ``fields`` and ``expand``,
  answering ``{"expand", "startAt", "maxResults", "total", "issues"}``, and ``GET
  /rest/api/2/issue/{issueIdOrKey}?expand=changelog`` with the issue's whole changelog.

Each log incident becomes an issue ``INC-<number>`` of type Incident; its consecutive rows'
state and priority changes become its changelog (the log's priorities named as Jira's: 1 -
Critical Highest, 2 - High High, 3 - Moderate Medium, 4 - Low Low); its location is its Jira
Service Management organization (``customfield_10002``). The log's times are taken as UTC.
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import re
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

from tests.connectors import loopback
from tests.connectors.loopback import answer_json

EMAIL, API_TOKEN = "agent@example.com", "jira-test-api-token"  # the tests' account (not a secret)
ORGANIZATIONS = "customfield_10002"
LOG_TIME = "%d/%m/%Y %H:%M"
PRIORITIES = {
    "1 - Critical": "Highest",
    "2 - High": "High",
    "3 - Moderate": "Medium",
    "4 - Low": "Low",
}
UPDATED = re.compile(r"^updated\s*>=\s*'(\d{4}/\d{2}/\d{2} \d{2}:\d{2})'$")
PROJECT = re.compile(r"^project\s*=\s*([A-Z][A-Z0-9_]*)$")


def jira_time(at: dt.datetime) -> str:
    utc = at.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}+0000"


@dataclass
class Store:
    """Issues and their changelogs as a Jira site holds them, and what the tests arrange."""

    issues: list[dict[str, Any]] = field(default_factory=list)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # oldest first
    requests: list[str] = field(default_factory=list)
    fail_at: set[int] = field(default_factory=set)  # answer 503 to these requests (1-based)
    limit_at: set[int] = field(default_factory=set)  # answer 429 to these requests
    retry_after: str = "3"
    changelog_limit: int = 100  # histories a search answer embeds
    user_zone: str = "UTC"  # the API user's profile time zone (JQL instants)
    statuses: dict[str, str] = field(default_factory=dict)  # name → id
    hidden: set[str] = field(default_factory=set)  # keys the search does not show yet (lag)

    def issue(self, key: str) -> dict[str, Any]:
        return next(i for i in self.issues if i["key"] == key)

    def change(self, key: str, at: dt.datetime, **changes: str) -> None:
        """Change an issue's status or priority (by name) as a transition or an edit does."""
        issue = self.issue(key)
        items = []
        for name, value in changes.items():
            before = issue["fields"][name]
            after = {"name": value, "id": self._id(name, value)}
            items.append(_item(name, before, after))
            issue["fields"][name] = after
        issue["fields"]["updated"] = jira_time(at)
        self._history(key, at, items)

    def _id(self, name: str, value: str) -> str:
        if name == "status":
            return self.statuses.setdefault(value, str(10000 + len(self.statuses)))
        return str(list(PRIORITIES.values()).index(value) + 1)

    def _history(self, key: str, at: dt.datetime, items: list[dict[str, Any]]) -> None:
        number = sum(len(h) for h in self.histories.values()) + 1
        self.histories.setdefault(key, []).append(
            {
                "id": str(number),
                "author": {"accountId": "5b10a2844c20165700ede21g", "displayName": "Agent"},
                "created": jira_time(at),
                "items": items,
            }
        )


def _item(name: str, before: dict[str, str], after: dict[str, str]) -> dict[str, Any]:
    return {
        "field": name,
        "fieldtype": "jira",
        "fieldId": name,
        "from": before["id"],
        "fromString": before["name"],
        "to": after["id"],
        "toString": after["name"],
    }


def store_from_log(text: bytes) -> Store:
    """The issues of a slice of the ServiceNow log (its header and rows)."""
    rows = list(csv.DictReader(io.StringIO(text.decode("ascii"))))
    by_number: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_number.setdefault(row["number"], []).append(row)
    store = Store()
    for number, events in by_number.items():
        key = f"INC-{int(number.removeprefix('INC'))}"
        at = [
            dt.datetime.strptime(e["sys_updated_at"], LOG_TIME).replace(tzinfo=dt.UTC)
            for e in events
        ]
        first = events[0]
        issue: dict[str, Any] = {
            "id": str(10000 + int(number.removeprefix("INC"))),
            "key": key,
            "self": f"/rest/api/3/issue/{key}",
            "fields": {
                "summary": f"Incident {number}",
                "status": {
                    "name": first["incident_state"],
                    "id": store._id("status", first["incident_state"]),
                },
                "priority": {
                    "name": PRIORITIES[first["priority"]],
                    "id": store._id("priority", PRIORITIES[first["priority"]]),
                },
                "issuetype": {"name": "Incident", "id": "10004"},
                "created": jira_time(at[0]),
                "updated": jira_time(at[0]),
                ORGANIZATIONS: [{"id": "1", "name": first["location"]}]
                if first["location"] != "?"
                else [],
            },
        }
        store.issues.append(issue)
        store.histories[key] = []
        for event, when in zip(events[1:], at[1:], strict=True):
            changes: dict[str, str] = {}
            if event["incident_state"] != issue["fields"]["status"]["name"]:
                changes["status"] = event["incident_state"]
            if PRIORITIES[event["priority"]] != issue["fields"]["priority"]["name"]:
                changes["priority"] = PRIORITIES[event["priority"]]
            if changes:
                store.change(key, when, **changes)
            else:  # an update that changed neither (a comment, an assignee): updated moves
                issue["fields"]["updated"] = jira_time(when)
    return store


class JqlError(ValueError):
    pass


def selected(store: Store, jql: str) -> list[dict[str, Any]]:
    """The issues the connector's JQL selects, in its order."""
    where, _, order = jql.partition(" ORDER BY ")
    if order.strip() not in ("updated ASC, key ASC", ""):
        raise JqlError(f"the order {order!r} is not supported here")
    found = [i for i in store.issues if i["key"] not in store.hidden]
    for term in where.replace("(", "").replace(")", "").split(" AND "):
        term = term.strip()
        if match := UPDATED.match(term):
            bound = dt.datetime.strptime(match.group(1), "%Y/%m/%d %H:%M").replace(
                tzinfo=ZoneInfo(store.user_zone)
            )
            found = [i for i in found if _at(i["fields"]["updated"]) >= bound]
        elif match := PROJECT.match(term):
            found = [i for i in found if i["key"].split("-")[0] == match.group(1)]
        elif term:
            raise JqlError(f"Error in the JQL Query: the term {term!r} is not understood here.")
    return sorted(found, key=lambda i: (_at(i["fields"]["updated"]), _key(i["key"])))


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def _key(key: str) -> tuple[str, int]:
    project, _, number = key.partition("-")
    return project, int(number)


class Handler(BaseHTTPRequestHandler):
    store: Store  # set on the subclass made per server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the tests read the answers."""

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        self.store.requests.append(self.path)
        number = len(self.store.requests)
        if number in self.store.fail_at:
            return self._answer(503, {"errorMessages": ["Service Unavailable"], "errors": {}})
        if number in self.store.limit_at:
            body = {"errorMessages": ["Rate limit exceeded."], "errors": {}}
            return self._answer(429, body, {"Retry-After": self.store.retry_after})
        if not self._authenticated():
            message = (
                "You are not authenticated. Authentication required to perform this operation."
            )
            return self._answer(401, {"errorMessages": [message], "errors": {}})
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if url.path == "/rest/api/3/search/jql":
            return self._search(query)
        if url.path == "/rest/api/2/search":
            return self._search_v2(query)
        found = re.fullmatch(r"/rest/api/2/issue/([^/]+)", url.path)
        if found and unquote(found.group(1)) in self.store.histories:
            return self._issue_v2(unquote(found.group(1)), query)
        match = re.fullmatch(r"/rest/api/3/issue/([^/]+)/changelog", url.path)
        if match and unquote(match.group(1)) in self.store.histories:
            return self._changelog(unquote(match.group(1)), query)
        message = "Issue does not exist or you do not have permission to see it."
        return self._answer(404, {"errorMessages": [message], "errors": {}})

    def _search(self, query: dict[str, str]) -> None:
        try:
            found = selected(self.store, query.get("jql", ""))
            size = min(int(query.get("maxResults", "50")), 5000)
            start = (
                int(query.get("nextPageToken", "0") or "0", 16) if query.get("nextPageToken") else 0
            )
        except ValueError as exc:
            return self._answer(400, {"errorMessages": [str(exc)], "errors": {}})
        chosen = found[start : start + size]
        wanted = [f for f in query.get("fields", "").split(",") if f]
        issues = []
        for issue in chosen:
            out = {"id": issue["id"], "key": issue["key"], "self": issue["self"]}
            if wanted:
                out["fields"] = {f: issue["fields"].get(f) for f in wanted}
            if "changelog" in query.get("expand", "").split(","):
                histories = self.store.histories[issue["key"]]
                newest = list(reversed(histories))[: self.store.changelog_limit]
                out["changelog"] = {
                    "startAt": 0,
                    "maxResults": len(newest),
                    "total": len(histories),
                    "histories": newest,
                }
            issues.append(out)
        body: dict[str, Any] = {"issues": issues, "isLast": start + size >= len(found)}
        if start + size < len(found):
            body["nextPageToken"] = format(start + size, "x")
        return self._answer(200, body)

    def _search_v2(self, query: dict[str, str]) -> None:
        """Server / Data Center: ``startAt`` and ``maxResults`` (at most 1,000), ``total``; a
        changelog oldest first, cut as ``changelog_limit`` says."""
        try:
            found = selected(self.store, query.get("jql", ""))
            size = min(int(query.get("maxResults", "50")), 1000)
            start = int(query.get("startAt", "0"))
        except ValueError as exc:
            return self._answer(400, {"errorMessages": [str(exc)], "errors": {}})
        wanted = [f for f in query.get("fields", "").split(",") if f]
        issues = []
        for issue in found[start : start + size]:
            out = {
                "id": issue["id"],
                "key": issue["key"],
                "self": issue["self"].replace("/api/3/", "/api/2/"),
                "fields": {f: issue["fields"].get(f) for f in wanted}
                if wanted
                else issue["fields"],
            }
            if "changelog" in query.get("expand", "").split(","):
                histories = self.store.histories[issue["key"]]
                kept = histories[: self.store.changelog_limit]
                out["changelog"] = {
                    "startAt": 0,
                    "maxResults": len(kept),
                    "total": len(histories),
                    "histories": kept,
                }
            issues.append(out)
        body = {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(found),
            "issues": issues,
        }
        return self._answer(200, body)

    def _issue_v2(self, key: str, query: dict[str, str]) -> None:
        """``GET /rest/api/2/issue/{key}?expand=changelog``: the whole changelog."""
        issue = self.store.issue(key)
        wanted = [f for f in query.get("fields", "").split(",") if f]
        body: dict[str, Any] = {
            "id": issue["id"],
            "key": key,
            "fields": {f: issue["fields"].get(f) for f in wanted} if wanted else issue["fields"],
        }
        if "changelog" in query.get("expand", "").split(","):
            histories = self.store.histories[key]
            body["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(histories),
                "histories": histories,
            }
        return self._answer(200, body)

    def _changelog(self, key: str, query: dict[str, str]) -> None:
        histories = self.store.histories[key]
        start, size = int(query.get("startAt", "0")), min(int(query.get("maxResults", "100")), 100)
        values = histories[start : start + size]
        last = start + size >= len(histories)
        body: dict[str, Any] = {
            "self": f"/rest/api/3/issue/{key}/changelog?startAt={start}&maxResults={size}",
            "maxResults": size,
            "startAt": start,
            "total": len(histories),
            "isLast": last,
            "values": values,
        }
        if not last:
            body["nextPage"] = (
                f"/rest/api/3/issue/{key}/changelog?startAt={start + size}&maxResults={size}"
            )
        return self._answer(200, body)

    def _authenticated(self) -> bool:
        basic = "Basic " + base64.b64encode(f"{EMAIL}:{API_TOKEN}".encode()).decode()
        return self.headers.get("Authorization", "") == basic

    def _answer(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        answer_json(self, status, body, headers)


def serving(store: Store) -> AbstractContextManager[str]:
    """The server on a free loopback port while the block runs; yields its base URL."""
    return loopback.serving(Handler, "JiraHandler", store)
