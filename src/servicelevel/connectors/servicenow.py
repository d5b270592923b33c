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

Authentication is HTTP basic, or OAuth: ``settings.oauth`` names the grant
(``client_credentials``, or ``password`` with the connection's user and password), the
client's id and where its secret is found (an environment variable or a file, never stored);
the token comes from ``/oauth_token.do`` (a form post, as the instance requires) and is asked
again before it expires.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicelevel.connectors import secrets
from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient

SN_TIME = "%Y-%m-%d %H:%M:%S"
EXPORT_TIME = "%d/%m/%Y %H:%M"
START = "1970-01-01 00:00:00"
SYS_ID = re.compile(r"^[0-9a-f]{32}$")
NAME = r"^[a-z][a-z0-9_]{0,79}$"
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
TOKEN_MARGIN = 60.0  # seconds before its expiry a token is asked again
DEFAULT_FIELDS = [
    "incident_state",
    "state",
    "priority",
    "category",
    "assignment_group",
    "company",
    "business_service",
]
DEFAULT_REFERENCES = {
    "assignment_group": "sys_user_group",
    "assigned_to": "sys_user",
    "company": "core_company",
    "business_service": "cmdb_ci_service",
    "cmdb_ci": "cmdb_ci",
}


class OAuthSettings(BaseModel):
    """How an access token is asked for (``/oauth_token.do``)."""

    model_config = ConfigDict(extra="forbid")
    grant_type: Literal["client_credentials", "password"]
    client_id: str = Field(min_length=1, max_length=200)
    client_secret_env: str | None = Field(default=None, max_length=200)
    client_secret_file: str | None = Field(default=None, max_length=1000)
    token_path: str = Field(default="/oauth_token.do", pattern=r"^/[A-Za-z0-9_./-]*$")


class ServiceNowSettings(BaseModel):
    """The connection's settings for ServiceNow (``auth`` is the framework's)."""

    model_config = ConfigDict(extra="forbid")
    table: str = Field(default="incident", pattern=NAME)
    query: str = Field(default="", max_length=2000)  # encoded query ANDed in: "active=true"
    page_size: int = Field(default=100, ge=1, le=10_000)
    max_pages: int = Field(default=100, ge=1, le=10_000)
    query_margin_minutes: int = Field(default=0, ge=0, le=24 * 60)
    fields: list[str] = Field(default=DEFAULT_FIELDS, min_length=1, max_length=50)
    references: dict[str, str] = Field(default=DEFAULT_REFERENCES, max_length=50)
    choice_language: str = Field(default="en", pattern=r"^[a-z]{2}(_[a-z]{2})?$")
    oauth: OAuthSettings | None = None
    # the incident fields write-back sets (string fields made for it), never replayed
    write_back_fields: dict[str, str] = Field(
        default={"deadline": "u_sla_deadline", "breached": "u_sla_breached"}, max_length=20
    )


def read_settings(settings: dict[str, Any]) -> ServiceNowSettings:
    """The settings as a model; the first problem is a :class:`ConnectorError` naming it."""
    given = {k: v for k, v in settings.items() if k != "auth"}
    try:
        model = ServiceNowSettings.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("settings", *first["loc"]))
        raise ConnectorError(f"{where}: {first['msg']}") from None
    names = [*model.fields, *model.references, *model.references.values()]
    for name in [*names, *model.write_back_fields.values()]:
        if not re.match(NAME, name):
            raise ConnectorError(f"settings.fields: {name[:80]!r} is not a field or table name")
    both = sorted(set(model.fields) & set(model.write_back_fields.values()))
    if both:
        raise ConnectorError(
            f"settings.write_back_fields: {both[0]} is also in settings.fields: what the "
            "connector writes would be read back as a change"
        )
    return model


def parse_cursor(text: str) -> tuple[str, str]:
    """A stored cursor as (``sys_updated_on``, ``sys_id``); anything else is an error naming
    it, so a damaged cursor is never taken as "from the start"."""
    stamp, sep, sys_id = text.partition("|")
    try:
        dt.datetime.strptime(stamp, SN_TIME)  # noqa: DTZ007 - a stored value, UTC
    except ValueError:
        sep = ""
    if not sep or (sys_id and not SYS_ID.match(sys_id)):
        raise ConnectorError(
            f"the cursor {text[:80]!r} is not a ServiceNow cursor "
            "('YYYY-MM-DD HH:MM:SS|<sys_id>'): clear it to pull again from the backfill date"
        )
    return stamp, sys_id


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
            rows = _result(answer, s.table)
            fresh = [r for r in rows if _position(r) > position]
            if fresh:
                position = max(position, *(_position(r) for r in fresh))
            yield Page(records=self._records(fresh, begin), cursor="|".join(position))
            total = _count(headers.get("x-total-count"))
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
        rows = _result(found, table)
        if len(rows) != 1 or not SYS_ID.match(_raw(rows[0], "sys_id")):
            raise ConnectorError(f"ServiceNow has no {table} {ticket}")
        answer = self.http.request_json(
            "PATCH",
            f"{self.api}/{table}/{_raw(rows[0], 'sys_id')}",
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
        form = {
            "grant_type": oauth.grant_type,
            "client_id": oauth.client_id,
            "client_secret": _client_secret(oauth),
        }
        if oauth.grant_type == "password":
            if self.auth.kind != "basic" or not self.auth.username:
                raise ConnectorError(
                    "settings.oauth: the password grant needs the connection's user and "
                    "password (auth kind basic)"
                )
            form |= {"username": self.auth.username, "password": self.auth.secret}
        answer = self.http.post_form(
            self.base_url + oauth.token_path, form=form, auth=Auth(kind="none")
        )
        token = answer.get("access_token") if isinstance(answer, dict) else None
        if not isinstance(token, str) or not token:
            raise ConnectorError(f"ServiceNow answered {oauth.token_path} without an access token")
        lifetime = _count(str(answer.get("expires_in") or "")) or 1800
        bearer = Auth(kind="bearer", secret=token)
        self._token = (bearer, self.http.clock() + max(lifetime - TOKEN_MARGIN, 1.0))
        return bearer

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
            rows = _result(answer, table)
            out += rows
            total = _count(headers.get("x-total-count"))
            if len(rows) < AUDIT_PAGE or (total is not None and len(out) >= total):
                return out
        raise ConnectorError(f"more than {MAX_AUDIT} {table} rows for one page: lower page_size")

    def _records(self, incidents: list[dict[str, Any]], begin: str) -> list[dict[str, Any]]:
        """The updates of ``incidents`` made at or after ``begin``, one record each."""
        if not incidents:
            return []
        s = self.settings
        ids = [_raw(i, "sys_id") for i in incidents]
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
            self._updates(i, by_incident.get(_raw(i, "sys_id"), []), begin) for i in incidents
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
            checkpoint = _count(str(row.get("record_checkpoint") or "0"))
            if checkpoint is None:
                raise ConnectorError(
                    f"sys_audit answered a record_checkpoint {row.get('record_checkpoint')!r}"
                )
            groups.setdefault(checkpoint, []).append(row)
        state = {f: _raw(incident, f) for f in self.settings.fields}
        out: list[tuple[int, str, dict[str, str]]] = []
        for checkpoint in sorted(groups, reverse=True):
            rows = groups[checkpoint]
            at = min(_stamp(str(r.get("sys_created_on") or ""), "sys_audit") for r in rows)
            out.append((checkpoint, at, dict(state)))
            for row in rows:
                state[str(row.get("fieldname"))] = str(row.get("oldvalue") or "")
        if 0 not in groups:
            created = _stamp(
                _raw(incident, "sys_created_on"), f"incident {_raw(incident, 'number')}"
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
        opened = _raw(incident, "opened_at")
        return {
            "number": _raw(incident, "number"),
            "sys_id": _raw(incident, "sys_id"),
            "short_description": _shown_of(incident, "short_description"),
            **{field: self._shown(field, value) for field, value in values.items()},
            "sys_mod_count": str(checkpoint),
            "sys_updated_on": at,
            "sys_updated_at": _export_time(at),
            # on the creation only: a later update read alone must not open the clock again
            "opened_at": _export_time(opened) if opened and checkpoint == 0 else "",
        }


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), IDS_PER_QUERY):
        yield ids[start : start + IDS_PER_QUERY]


def _client_secret(oauth: OAuthSettings) -> str:
    """The OAuth client's secret, from where the settings say it is (read at run time, where
    :mod:`servicelevel.connectors.secrets` allows)."""
    if not (oauth.client_secret_env or oauth.client_secret_file):
        raise ConnectorError("settings.oauth: name client_secret_env or client_secret_file")
    return secrets.read_secret(
        env=oauth.client_secret_env, path=oauth.client_secret_file, what="OAuth client secret"
    )


def _result(answer: Any, table: str) -> list[dict[str, Any]]:
    rows = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ConnectorError(f"ServiceNow's {table} answer has no result list")
    return rows


def _raw(row: dict[str, Any], field: str) -> str:
    """A field's stored value (``sysparm_display_value=all`` gives value and display value)."""
    value = row.get(field)
    if isinstance(value, dict):
        value = value.get("value")
    return "" if value is None else str(value)


def _shown_of(row: dict[str, Any], field: str) -> str:
    value = row.get(field)
    if isinstance(value, dict):
        value = value.get("display_value")
    return "" if value is None else str(value)


def _position(row: dict[str, Any]) -> tuple[str, str]:
    stamp = _stamp(_raw(row, "sys_updated_on"), "an incident's sys_updated_on")
    sys_id = _raw(row, "sys_id")
    if not SYS_ID.match(sys_id):
        raise ConnectorError(f"ServiceNow answered an incident whose sys_id is {sys_id[:40]!r}")
    return stamp, sys_id


def _stamp(text: str, what: str) -> str:
    """A stored instant (``2016-02-29 01:23:00``, UTC), checked."""
    try:
        return dt.datetime.strptime(text, SN_TIME).strftime(SN_TIME)  # noqa: DTZ007 - UTC
    except ValueError:
        raise ConnectorError(f"{what}: {text[:40]!r} is not an instant") from None


def _export_time(stamp: str) -> str:
    """A stored instant as the incident export writes it (the shipped mapping's format)."""
    return dt.datetime.strptime(stamp, SN_TIME).strftime(EXPORT_TIME)  # noqa: DTZ007 - UTC


def _count(text: str | None) -> int | None:
    return int(text) if text is not None and text.strip().isdigit() else None
