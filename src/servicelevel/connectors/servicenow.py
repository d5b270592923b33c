"""ServiceNow (kind ``servicenow``): incidents and their state history through the Table API.

A pull asks ``GET /api/now/table/incident`` with ``sysparm_query``
``sys_updated_on>=<instant>^<the connection's own query>^ORDERBYsys_updated_on^ORDERBYsys_id``,
``sysparm_display_value=all`` (each field's stored value and its display value) and
``sysparm_limit``/``sysparm_offset``; the answer's ``X-Total-Count`` says when the last page is
read. Every page re-anchors the query at the last incident read (keyset paging), so an incident
updated during a pull, which moves to the end of the order, never shifts another one past the
pages already read.

Each incident's history is read from ``sys_audit`` (``tablename=incident``, ``documentkey`` the
incident's ``sys_id``, ``fieldname`` one of the replayed fields: the state, priority, category,
assignment group, company and business service by default). Audit rows of one update share its
``record_checkpoint`` (the incident's ``sys_mod_count`` after it); the fields are replayed
backwards from the incident's values, so each update becomes one record with the fields as
they stood after it, and the incident's creation one more (``sys_mod_count`` 0, at
``sys_created_on``; or the audited insert, when the instance audits inserts). Audit rows hold
stored values: a choice (``incident_state`` ``2``) is shown by its label from ``sys_choice``
(``Active``), a reference (an assignment group's ``sys_id``) by the referenced record's
``name``. Records carry the columns of ServiceNow's incident export, which the shipped
``servicenow`` mapping reads (``number``, ``incident_state``, ``priority``, ``category``,
``assignment_group``, ``company``, ``business_service``, ``sys_mod_count``, ``opened_at`` and
``sys_updated_at`` written ``%d/%m/%Y %H:%M`` in UTC; ``opened_at`` on the creation's record
only, so an update pulled alone does not open the clock again), and ``sys_updated_on`` to the
second.

The cursor is ``<sys_updated_on>|<sys_id>`` of the last incident read (stored values: UTC);
the next pull asks from that second again, leaves out the incidents up to that one, and keeps
the updates made in that second or after (what is read twice is stored once). The encoded
query's instant is read by the instance in the API user's time zone: give that user UTC, or
set ``query_margin_minutes`` to cover the offset.

Write-back (:meth:`ServiceNowSource.write_back`) sets incident fields made for it (by default
``u_sla_deadline`` and ``u_sla_breached``) with ``PATCH``; they are never among the replayed
fields, so the connector's own writing is not read back as a change.

Its settings and authentication (basic, or an OAuth token) are :mod:`servicenow_settings`;
reading the instance's answers is :mod:`servicenow_rows`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient
from servicelevel.connectors.servicenow_rows import (
    SN_TIME,
    START,
    SYS_ID,
    checked_stamp,
    count_of,
    display_value,
    export_time,
    parse_cursor,
    position_of,
    result_rows,
    stored_value,
)
from servicelevel.connectors.servicenow_settings import NAME, ask_token, read_settings

MAX_AUDIT = 100_000  # audit rows read for one page of incidents
IDS_PER_QUERY = 100  # sys_ids named in one encoded query (the URL stays short)
INCIDENT_FIELDS = (
    "sys_id",
    "number",
    "short_description",
    "opened_at",
    "sys_created_on",
    "sys_updated_on",
)
AUDIT_PAGE = 1000


class ServiceNowSource:
    """Pages of incident update records from the Table API (see the module docstring)."""

    kind: ClassVar[str] = "servicenow"

    def __init__(
        self, *, base_url: str, auth: Auth, settings: dict[str, Any], http: HttpClient
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api = self.base_url + "/api/now/table"
        self.auth, self.http = auth, http
        self.settings = read_settings(settings)
        self._token: tuple[Auth, float] | None = None  # bearer, monotonic expiry
        self._choices: dict[tuple[str, str], str] | None = None
        self._names: dict[tuple[str, str], str] = {}  # (table, sys_id) → name

    def pages(self, *, cursor: str | None, since: dt.datetime | None) -> Iterator[Page]:
        """Pages of the updates made at or after the resume point, each with the cursor to
        store once its records are."""
        s = self.settings
        if cursor:
            position = parse_cursor(cursor)
        else:
            stamp = since.astimezone(dt.UTC).strftime(SN_TIME) if since else START
            position = (stamp, "")
        begin = position[0]
        query, offset = self._query(position[0]), 0
        for _ in range(s.max_pages):
            answer, headers = self._get_with_headers(
                s.table,
                {
                    "sysparm_query": query,
                    "sysparm_display_value": "all",
                    "sysparm_exclude_reference_link": "true",
                    "sysparm_fields": ",".join([*INCIDENT_FIELDS, *s.fields]),
                    "sysparm_limit": str(s.page_size),
                    "sysparm_offset": str(offset),
                },
            )
            rows = result_rows(answer, s.table)
            fresh = [r for r in rows if position_of(r) > position]
            if fresh:
                position = max(position, *(position_of(r) for r in fresh))
            yield Page(records=self._records(fresh, begin), cursor="|".join(position))
            total = count_of(headers.get("x-total-count"))
            if len(rows) < s.page_size or (total is not None and offset + len(rows) >= total):
                return
            query, offset = self._next(query, offset, rows, position[0])

    def _next(
        self, query: str, offset: int, rows: list[dict[str, Any]], stamp: str
    ) -> tuple[str, int]:
        """The next page's query and offset: the query re-anchored at the last incident read,
        from its start (the incidents of that second already read are read again and left
        out: one of them updated meanwhile cannot shift an unread one past the offset); the
        same query, further on, when a whole page was of one second."""
        anchored = self._query(stamp)
        if anchored == query:
            return query, offset + len(rows)
        return anchored, 0

    def write_back(self, *, ticket: str, fields: dict[str, str]) -> None:
        """Set the incident's fields named by ``fields`` keys (``deadline`` →
        ``u_sla_deadline`` through ``write_back_fields``; other keys are field names) with
        ``PATCH /api/now/table/incident/{sys_id}``. The instance ignores a field the table
        does not have, so a field missing from its answer is an error naming it."""
        table = self.settings.table
        if not re.match(r"^[A-Za-z0-9_]{1,40}$", ticket):
            raise ConnectorError(f"{ticket[:40]!r} is not an incident number")
        values = {self.settings.write_back_fields.get(k, k): v for k, v in fields.items()}
        for name in values:
            if not re.match(NAME, name):
                raise ConnectorError(f"write-back: {name[:80]!r} is not a field name")
        found, _ = self._get_with_headers(
            table, {"sysparm_query": f"number={ticket}", "sysparm_fields": "sys_id"}
        )
        rows = result_rows(found, table)
        if len(rows) != 1 or not SYS_ID.match(stored_value(rows[0], "sys_id")):
            raise ConnectorError(f"ServiceNow has no {table} {ticket}")
        answer = self.http.request_json(
            "PATCH",
            f"{self.api}/{table}/{stored_value(rows[0], 'sys_id')}",
            params={"sysparm_fields": ",".join(["sys_id", *values])},
            auth=self._auth(),
            body=values,
        )[0]
        result = answer.get("result") if isinstance(answer, dict) else None
        missing = sorted(set(values) - set(result if isinstance(result, dict) else {}))
        if missing:
            raise ConnectorError(
                f"ServiceNow did not set {', '.join(missing)[:200]} on {table} {ticket}: "
                f"create the field on the {table} table (a string field)"
            )

    def _query(self, stamp: str) -> str:
        s = self.settings
        since = dt.datetime.strptime(stamp, SN_TIME) - dt.timedelta(  # noqa: DTZ007 - UTC
            minutes=s.query_margin_minutes
        )
        parts = [f"sys_updated_on>={since.strftime(SN_TIME)}"]
        if s.query.strip():
            parts.append(s.query.strip())
        return "^".join([*parts, "ORDERBYsys_updated_on", "ORDERBYsys_id"])

    def _auth(self) -> Auth:
        """The connection's credentials, or (OAuth) a bearer token asked for when needed."""
        oauth = self.settings.oauth
        if oauth is None:
            return self.auth
        if self._token is not None and self.http.clock() < self._token[1]:
            return self._token[0]
        self._token = ask_token(self.http, base_url=self.base_url, auth=self.auth, oauth=oauth)
        return self._token[0]

    def _get_with_headers(self, table: str, params: dict[str, str]) -> tuple[Any, Any]:
        return self.http.get_json_with_headers(
            f"{self.api}/{table}", params=params, auth=self._auth()
        )

    def _all(self, table: str, query: str, fields: str) -> list[dict[str, Any]]:
        """Every row of ``table`` matching ``query`` (stored values), page by page."""
        out: list[dict[str, Any]] = []
        while len(out) < MAX_AUDIT:
            params = {
                "sysparm_query": query,
                "sysparm_fields": fields,
                "sysparm_limit": str(AUDIT_PAGE),
                "sysparm_offset": str(len(out)),
            }
            answer, headers = self._get_with_headers(table, params)
            rows = result_rows(answer, table)
            out += rows
            total = count_of(headers.get("x-total-count"))
            if len(rows) < AUDIT_PAGE or (total is not None and len(out) >= total):
                return out
        raise ConnectorError(f"more than {MAX_AUDIT} {table} rows for one page: lower page_size")

    def _records(self, incidents: list[dict[str, Any]], begin: str) -> list[dict[str, Any]]:
        """The updates of ``incidents`` made at or after ``begin``, one record each."""
        if not incidents:
            return []
        s = self.settings
        ids = [stored_value(i, "sys_id") for i in incidents]
        audit: list[dict[str, Any]] = []
        for chunk in _chunks(ids):  # a query names at most IDS_PER_QUERY records
            audit += self._all(
                "sys_audit",
                f"tablename={s.table}^documentkeyIN{','.join(chunk)}"
                f"^fieldnameIN{','.join(s.fields)}^ORDERBYsys_created_on",
                "documentkey,fieldname,oldvalue,newvalue,record_checkpoint,sys_created_on",
            )
        by_incident: dict[str, list[dict[str, Any]]] = {}
        for row in audit:
            by_incident.setdefault(str(row.get("documentkey") or ""), []).append(row)
        for incident in incidents:
            for field in s.fields:
                value = incident.get(field)
                if isinstance(value, dict) and value.get("value"):
                    self._remember(field, str(value["value"]), str(value.get("display_value")))
        updates = [
            self._updates(i, by_incident.get(stored_value(i, "sys_id"), []), begin)
            for i in incidents
        ]
        self._resolve([u for one in updates for u in one])
        return [self._record(i, u) for i, one in zip(incidents, updates, strict=True) for u in one]

    def _updates(
        self, incident: dict[str, Any], audit: list[dict[str, Any]], begin: str
    ) -> list[tuple[int, str, dict[str, str]]]:
        """(``sys_mod_count``, instant, the fields' stored values after it) of each update
        made at or after ``begin``, creation first, in checkpoint order."""
        groups: dict[int, list[dict[str, Any]]] = {}
        for row in audit:
            checkpoint = count_of(str(row.get("record_checkpoint") or "0"))
            if checkpoint is None:
                raise ConnectorError(
                    f"sys_audit answered a record_checkpoint {row.get('record_checkpoint')!r}"
                )
            groups.setdefault(checkpoint, []).append(row)
        state = {f: stored_value(incident, f) for f in self.settings.fields}
        out: list[tuple[int, str, dict[str, str]]] = []
        for checkpoint in sorted(groups, reverse=True):
            rows = groups[checkpoint]
            at = min(checked_stamp(str(r.get("sys_created_on") or ""), "sys_audit") for r in rows)
            out.append((checkpoint, at, dict(state)))
            for row in rows:
                state[str(row.get("fieldname"))] = str(row.get("oldvalue") or "")
        if 0 not in groups:
            created = checked_stamp(
                stored_value(incident, "sys_created_on"),
                f"incident {stored_value(incident, 'number')}",
            )
            out.append((0, created, state))
        return [u for u in reversed(out) if u[1] >= begin]

    def _remember(self, field: str, value: str, display: str) -> None:
        table = self.settings.references.get(field)
        if table is not None:
            self._names[table, value] = display

    def _resolve(self, updates: list[tuple[int, str, dict[str, str]]]) -> None:
        """Learn the names of referenced records and the labels of choices the updates use."""
        s = self.settings
        wanted: dict[str, set[str]] = {}
        for _, _, values in updates:
            for field, value in values.items():
                table = s.references.get(field)
                if table is not None and value and (table, value) not in self._names:
                    wanted.setdefault(table, set()).add(value)
        for table, ids in sorted(wanted.items()):
            for chunk in _chunks(sorted(ids)):
                for row in self._all(table, f"sys_idIN{','.join(chunk)}", "sys_id,name"):
                    self._names[table, str(row.get("sys_id"))] = str(row.get("name") or "")
        if self._choices is None:
            plain = [f for f in s.fields if f not in s.references]
            rows = self._all(
                "sys_choice",
                f"name={s.table}^elementIN{','.join(plain)}^language={s.choice_language}"
                "^inactive=false",
                "element,value,label",
            )
            self._choices = {
                (str(r.get("element")), str(r.get("value"))): str(r.get("label") or "")
                for r in rows
            }

    def _shown(self, field: str, value: str) -> str:
        """A stored value as people see it: a choice's label, a reference's name."""
        if not value:
            return ""
        table = self.settings.references.get(field)
        if table is not None:
            return self._names.get((table, value), value)
        return (self._choices or {}).get((field, value), value)

    def _record(
        self, incident: dict[str, Any], update: tuple[int, str, dict[str, str]]
    ) -> dict[str, Any]:
        checkpoint, at, values = update
        opened = stored_value(incident, "opened_at")
        return {
            "number": stored_value(incident, "number"),
            "sys_id": stored_value(incident, "sys_id"),
            "short_description": display_value(incident, "short_description"),
            **{field: self._shown(field, value) for field, value in values.items()},
            "sys_mod_count": str(checkpoint),
            "sys_updated_on": at,
            "sys_updated_at": export_time(at),
            # on the creation only: a later update read alone must not open the clock again
            "opened_at": export_time(opened) if opened and checkpoint == 0 else "",
        }


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start : start + IDS_PER_QUERY]
