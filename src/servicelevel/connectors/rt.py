"""Request Tracker 5 (kind ``rt``): tickets and their transactions through RT's REST2 API.

A pull asks ``GET /REST/2.0/tickets`` with TicketSQL ``LastUpdated >= '…'`` (plus the
connection's own query, e.g. ``Queue = 'Support'``), ordered by ``LastUpdated`` ascending, page
by page (``page``/``per_page``), and reads each ticket's ``/ticket/{id}/history``. Every
transaction that matters to a clock becomes one record: the ticket's creation, a status change,
a change of owner, queue or priority, and a custom field set (except the custom fields the
connector writes itself, so its own write-back is never read back as a change). A record
carries the ticket's id and subject, the transaction (id, type, field, old and new value,
instant), the status, queue, owner and priority *after* the transaction (replayed from the
history, so an old transaction is read with the status it set, not today's), and the ticket's
custom fields as they stand. The shipped mapping ``rt`` (``servicelevel/mappings/rt.yaml``)
reads these records.

The cursor is the greatest ``LastUpdated`` read (UTC, ``YYYY-MM-DD HH:MM:SS``). The next pull
asks from that second again and keeps the transactions made in it or after, so a change in the
same second as the last one read is not lost; what is read twice is stored once (the
transaction id is the event's key). RT reads TicketSQL instants in the API user's time zone:
give that user the time zone UTC in RT, or set ``query_margin_minutes`` to cover its offset.

Write-back (:meth:`RtSource.write_back`) sets ticket custom fields (``PUT /ticket/{id}`` with
``CustomFields``), e.g. the SLA deadline and whether it was breached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient

MAX_HISTORY = 10_000  # transactions read for one ticket
HISTORY_PAGE = 100
RT_TIME = "%Y-%m-%d %H:%M:%S"
START = "1970-01-01 00:00:00"
KEPT_TYPES = ("Create", "Status", "CustomField")
KEPT_SETS = ("Owner", "Queue", "Priority")  # transactions of type Set on these fields
TICKET_FIELDS = "Subject,Status,Queue,Owner,Priority,Created,LastUpdated,CustomFields"
HISTORY_FIELDS = "Type,Field,OldValue,NewValue,Created"


class RtSettings(BaseModel):
    """The connection's settings for RT (``auth`` is the framework's)."""

    model_config = ConfigDict(extra="forbid")
    query: str = Field(default="", max_length=2000)  # TicketSQL ANDed in: "Queue = 'Support'"
    page_size: int = Field(default=100, ge=1, le=100)  # REST2 answers at most 100 a page
    max_pages: int = Field(default=100, ge=1, le=10_000)
    query_margin_minutes: int = Field(default=0, ge=0, le=24 * 60)
    # custom fields the connector writes (never read back as changes)
    write_back_fields: dict[str, str] = Field(
        default={"deadline": "SLA deadline", "breached": "SLA breached"}, max_length=20
    )


def read_settings(settings: dict[str, Any]) -> RtSettings:
    """The settings as a model; the first problem is a :class:`ConnectorError` naming it."""
    given = {k: v for k, v in settings.items() if k != "auth"}
    try:
        return RtSettings.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("settings", *first["loc"]))
        raise ConnectorError(f"{where}: {first['msg']}") from None


class RtSource:
    """Pages of transaction records from RT's REST2 API (see the module docstring)."""

    kind: ClassVar[str] = "rt"

    def __init__(
        self, *, base_url: str, auth: Auth, settings: dict[str, Any], http: HttpClient
    ) -> None:
        self.api = base_url.rstrip("/") + "/REST/2.0"
        self.auth, self.http = auth, http
        self.settings = read_settings(settings)
        self._names: dict[tuple[str, str], str] = {}  # (queue|user, id) → name

    def pages(self, *, cursor: str | None, since: dt.datetime | None) -> Iterator[Page]:
        """Pages of transactions made at or after the resume point, each with the cursor to
        store once its records are."""
        start = cursor or (since.astimezone(dt.UTC).strftime(RT_TIME) if since else START)
        begin = _parsed(start, "cursor")
        latest = start
        for number in range(1, self.settings.max_pages + 1):
            answer = self._get("tickets", self._params(begin, number))
            tickets = _items(answer, "tickets")
            records: list[dict[str, Any]] = []
            for ticket in tickets:
                records += self._records(ticket, begin)
                latest = max(latest, _rt_time(str(ticket.get("LastUpdated") or "")))
            yield Page(records=records, cursor=latest)
            if len(tickets) < self.settings.page_size or number >= int(answer.get("pages") or 0):
                return

    def write_back(self, *, ticket: str, fields: dict[str, str]) -> None:
        """Set the ticket's custom fields named by ``fields`` keys (``deadline`` →
        ``SLA deadline`` through ``write_back_fields``; other keys are custom field names)."""
        if not ticket.isdigit():
            raise ConnectorError(f"RT ticket ids are numbers, not {ticket[:40]!r}")
        names = self.settings.write_back_fields
        values = {names.get(k, k): v for k, v in fields.items()}
        found = self._get(f"ticket/{ticket}", {"fields": "CustomFields"})
        known = set(_custom_fields(found))
        missing = sorted(set(values) - known)
        if missing:
            raise ConnectorError(
                f"RT refused ticket {ticket}'s fields: no custom field {', '.join(missing)[:200]} "
                "applies to it (create it in RT and apply it to the ticket's queue)"
            )
        answer = self.http.put_json(
            f"{self.api}/ticket/{ticket}", body={"CustomFields": values}, auth=self.auth
        )
        _check_messages(answer, ticket)

    def _params(self, begin: dt.datetime, number: int) -> dict[str, str]:
        since = begin - dt.timedelta(minutes=self.settings.query_margin_minutes)
        query = f"LastUpdated >= '{since.strftime(RT_TIME)}'"
        if self.settings.query.strip():
            query = f"({self.settings.query}) AND {query}"
        return {
            "query": query,
            "orderby": "LastUpdated",
            "order": "ASC",
            "page": str(number),
            "per_page": str(self.settings.page_size),
            "fields": TICKET_FIELDS,
            "fields[Queue]": "Name",
            "fields[Owner]": "Name",
        }

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        answer = self.http.get_json(f"{self.api}/{path}", params=params, auth=self.auth)
        if not isinstance(answer, dict):
            raise ConnectorError(f"RT answered {path} with no JSON object")
        return answer

    def _history(self, ticket: str) -> list[dict[str, Any]]:
        """All of a ticket's transactions, oldest first."""
        out: list[dict[str, Any]] = []
        for number in range(1, MAX_HISTORY // HISTORY_PAGE + 1):
            params = {"page": str(number), "per_page": str(HISTORY_PAGE), "fields": HISTORY_FIELDS}
            answer = self._get(f"ticket/{ticket}/history", params)
            out += _items(answer, "history")
            if number >= int(answer.get("pages") or 0):
                return sorted(out, key=lambda t: int(str(t.get("id") or 0)))
        raise ConnectorError(f"ticket {ticket} has more than {MAX_HISTORY} transactions")

    def _records(self, ticket: dict[str, Any], begin: dt.datetime) -> list[dict[str, Any]]:
        """The ticket's kept transactions made at or after ``begin``, as records."""
        tid = str(ticket.get("id") or "")
        if not tid.isdigit():
            raise ConnectorError("RT answered a ticket without an id")
        history = self._history(tid)
        state = self._initial(ticket, history)
        custom = _custom_fields(ticket)
        own = set(self.settings.write_back_fields.values())
        cf_names = {str(f.get("id")): str(f.get("name")) for f in ticket.get("CustomFields") or []}
        out: list[dict[str, Any]] = []
        for txn in history:
            kind, field = str(txn.get("Type") or ""), str(txn.get("Field") or "")
            self._replay(state, kind, field, str(txn.get("NewValue") or ""))
            if not _kept(kind, field) or (kind == "CustomField" and cf_names.get(field) in own):
                continue
            at = _parsed(str(txn.get("Created") or ""), f"ticket {tid}'s transaction")
            if at < begin:
                continue
            out.append(
                {
                    "ticket": tid,
                    "subject": ticket.get("Subject") or "",
                    "created": ticket.get("Created") or "",
                    **state,
                    "custom_fields": custom,
                    "transaction": {
                        "id": str(txn.get("id") or ""),
                        "type": kind,
                        "field": cf_names.get(field, field) if kind == "CustomField" else field,
                        "old": str(txn.get("OldValue") or ""),
                        "new": str(txn.get("NewValue") or ""),
                        "created": str(txn.get("Created") or ""),
                    },
                }
            )
        return out

    def _initial(self, ticket: dict[str, Any], history: list[dict[str, Any]]) -> dict[str, str]:
        """Status, queue, owner and priority when the ticket was created: the old value of
        each field's first change, or its value now when it never changed."""
        now = {
            "status": str(ticket.get("Status") or ""),
            "queue": _name(ticket.get("Queue")),
            "owner": _name(ticket.get("Owner")),
            "priority": str(ticket.get("Priority") or ""),
        }
        seen: set[str] = set()
        for txn in history:
            key = _key(str(txn.get("Type") or ""), str(txn.get("Field") or ""))
            if key in now and key not in seen:
                now[key] = self._value(key, str(txn.get("OldValue") or ""))
                seen.add(key)
        return now

    def _replay(self, state: dict[str, str], kind: str, field: str, new: str) -> None:
        key = _key(kind, field)
        if key in state:
            state[key] = self._value(key, new)

    def _value(self, key: str, raw: str) -> str:
        """A queue's or owner's name from the id a transaction records (RT's ``Nobody`` is
        no owner: empty)."""
        if key not in ("queue", "owner") or not raw.isdigit():
            return raw
        kind = "queue" if key == "queue" else "user"
        if (kind, raw) not in self._names:
            found = self._get(f"{kind}/{raw}", {})
            self._names[kind, raw] = str(found.get("Name") or raw)
        name = self._names[kind, raw]
        return "" if kind == "user" and name == "Nobody" else name


def _key(kind: str, field: str) -> str:
    """Which of the replayed fields a transaction changes ("" none)."""
    if kind == "Status":
        return "status"
    return field.lower() if kind == "Set" and field in KEPT_SETS else ""


def _kept(kind: str, field: str) -> bool:
    return kind in KEPT_TYPES or (kind == "Set" and field in KEPT_SETS)


def _items(answer: dict[str, Any], what: str) -> list[dict[str, Any]]:
    items = answer.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ConnectorError(f"RT's {what} answer has no list of items")
    return items


def _name(value: Any) -> str:
    """A queue or user as REST2 writes it with ``fields[…]=Name``: ``{"id": …, "Name": …}``."""
    if isinstance(value, dict):
        name = str(value.get("Name") or value.get("id") or "")
        return "" if name == "Nobody" else name
    return "" if value in (None, "Nobody") else str(value)


def _custom_fields(ticket: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for field in ticket.get("CustomFields") or []:
        if isinstance(field, dict) and field.get("name"):
            out[str(field["name"])] = ", ".join(str(v) for v in field.get("values") or [])
    return out


def _parsed(text: str, what: str) -> dt.datetime:
    """An RT instant (``2026-12-04T12:46:27Z`` or ``2026-12-04 12:46:27``), UTC."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConnectorError(f"{what}: {text[:40]!r} is not an instant") from None
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _rt_time(text: str) -> str:
    return _parsed(text, "a ticket's LastUpdated").strftime(RT_TIME)


def _check_messages(answer: Any, ticket: str) -> None:
    """RT answers an update with messages; one that says a field could not be set is an error
    (an unknown custom field, a value refused)."""
    messages = answer if isinstance(answer, list) else []
    for message in messages:
        text = str(message)
        lowered = text.lower()
        if "not found" in lowered or "could not" in lowered or "invalid" in lowered:
            raise ConnectorError(f"RT refused ticket {ticket}'s fields: {text[:200]}")
