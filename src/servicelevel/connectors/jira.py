"""Jira Service Management and Jira Cloud (kind ``jira``): issues and their changelogs through
the REST API v3.

A pull asks ``GET /rest/api/3/search/jql`` (the issue search of the Jira Cloud platform REST API
v3) with the JQL ``updated >= 'yyyy/MM/dd HH:mm' ORDER BY updated ASC, key ASC`` (ANDed with the
connection's own JQL, e.g. ``project = SUP``), the fields the records need and
``expand=changelog``, following ``nextPageToken`` from page to page. A changelog the search
answers truncated (fewer histories than its ``total``) is read whole from
``GET /rest/api/3/issue/{key}/changelog`` (``startAt``/``maxResults`` until ``isLast``).

Each issue's creation, and each change of its status or priority, becomes one record with the
columns of Jira's issue-history export that the shipped ``jira`` mapping reads: ``Issue key``,
``Created`` (the change's instant, written ``dd/Mon/yy h:mm AM`` in UTC), ``Status``,
``Priority``, ``Issue Type`` and ``Summary`` as they stood after the change (replayed backwards
from the issue's fields through the changelog), and ``Organizations`` (the first of the issue's
Jira Service Management organizations, a custom field named in the settings), beside
``Changed`` (the instant to the millisecond) and ``History id``. The SLA fields of Jira Service
Management are not read: servicelevel measures the SLAs itself.

The cursor is ``<updated, UTC, ISO 8601>|<issue key>`` of the last issue read. JQL compares
minutes in the API user's time zone (``jql_timezone``; set it to the zone in the user's Jira
profile), so the next pull asks from the cursor's minute, leaves out the issues up to the
cursor, and keeps the changes made at the cursor's instant or after; what is read twice is
stored once. For Jira Server / Data Center (``api: data_center``) the search is
``GET /rest/api/2/search`` paged by ``startAt`` (each page's query re-anchored at the minute of
the last issue read, as issues move while a pull runs) and a cut changelog is read whole from
``GET /rest/api/2/issue/{key}?expand=changelog``. The Cloud search is eventually consistent
(an update may show in it a little late): ``reread_minutes`` reads the changes of that many
minutes before the cursor again. Authentication is HTTP basic with the account's e-mail
address and an API token (Data Center: a user's name and password, or a personal access
token with auth kind ``bearer``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, ClassVar, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient

JQL_TIME = "%Y/%m/%d %H:%M"
EXPORT_TIME = "%d/%b/%y %I:%M %p"
KEY = re.compile(r"^([A-Z][A-Z0-9_]*)-([0-9]+)$")
START = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
CHANGELOG_PAGE = 100
MAX_CHANGELOG = 10_000
REPLAYED = {"status": "Status", "priority": "Priority", "issuetype": "Issue Type"}
RECORDED = ("status", "priority")  # a history changing one of these is a record
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class JiraSettings(BaseModel):
    """The connection's settings for Jira (``auth`` is the framework's)."""

    model_config = ConfigDict(extra="forbid")
    jql: str = Field(default="", max_length=2000)  # ANDed in: "project = SUP"
    page_size: int = Field(default=50, ge=1, le=100)
    max_pages: int = Field(default=100, ge=1, le=10_000)
    organizations_field: str = Field(default="customfield_10002", pattern=r"^(customfield_\d+)?$")
    jql_timezone: str = Field(default="UTC", max_length=100)
    # the search is eventually consistent: read again the changes of the minutes before the
    # cursor, so an issue the search showed late is not lost (stored once)
    reread_minutes: int = Field(default=0, ge=0, le=24 * 60)
    # cloud: REST API v3 search with nextPageToken; data_center: Jira Server / Data Center's
    # REST API v2 search with startAt
    api: Literal["cloud", "data_center"] = "cloud"


def read_settings(settings: dict[str, Any]) -> tuple[JiraSettings, ZoneInfo]:
    """The settings as a model and the JQL's time zone; the first problem is a
    :class:`ConnectorError` naming it."""
    given = {k: v for k, v in settings.items() if k != "auth"}
    try:
        model = JiraSettings.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("settings", *first["loc"]))
        raise ConnectorError(f"{where}: {first['msg']}") from None
    try:
        zone = ZoneInfo(model.jql_timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConnectorError(
            f"settings.jql_timezone: unknown time zone {model.jql_timezone[:60]!r}"
        ) from None
    return model, zone


def parse_cursor(text: str) -> tuple[dt.datetime, tuple[str, int]]:
    """A stored cursor as (instant, issue key's order); anything else is an error naming it."""
    stamp, sep, key = text.partition("|")
    try:
        instant = _instant(stamp) if sep else None
    except ValueError:
        instant = None
    if instant is None or (key and not KEY.match(key)):
        raise ConnectorError(
            f"the cursor {text[:80]!r} is not a Jira cursor ('<updated, ISO 8601>|<issue key>'): "
            "clear it to pull again from the backfill date"
        )
    return instant, _key_order(key)


class JiraSource:
    """Pages of status-change records from Jira's REST API (see the module docstring)."""

    kind: ClassVar[str] = "jira"

    def __init__(
        self, *, base_url: str, auth: Auth, settings: dict[str, Any], http: HttpClient
    ) -> None:
        self.auth, self.http = auth, http
        self.settings, self.zone = read_settings(settings)
        version = "3" if self.settings.api == "cloud" else "2"
        self.api = base_url.rstrip("/") + "/rest/api/" + version

    def pages(self, *, cursor: str | None, since: dt.datetime | None) -> Iterator[Page]:
        """Pages of the changes made at or after the resume point, each with the cursor to
        store once its records are."""
        if cursor:
            begin, after = parse_cursor(cursor)
        else:
            begin, after = (since.astimezone(dt.UTC) if since else START), ("", -1)
        if self.settings.reread_minutes and begin > START:
            begin, after = begin - dt.timedelta(minutes=self.settings.reread_minutes), ("", -1)
        position = (begin, after)
        if self.settings.api == "data_center":
            yield from self._offset_pages(begin, position)
            return
        token: str | None = None
        for _ in range(self.settings.max_pages):
            params = self._params(begin)
            if token:
                params["nextPageToken"] = token
            answer = self._get("search/jql", params)
            records, position = self._fresh(answer, position, begin)
            yield Page(records=records, cursor=_cursor(position))
            token = answer.get("nextPageToken") or None
            if token is None or answer.get("isLast") is True:
                return

    def _offset_pages(self, begin: dt.datetime, position: _Position) -> Iterator[Page]:
        """Data Center's search (``GET /rest/api/2/search``, ``startAt``/``maxResults``,
        ``total``), each page's query re-anchored at the minute of the last issue read and
        read from its start (the issues of that minute read again are left out); the same
        query further on when a whole page was of one minute."""
        anchor, offset = begin, 0
        for _ in range(self.settings.max_pages):
            params = {**self._params(anchor), "startAt": str(offset)}
            answer = self._get("search", params)
            records, position = self._fresh(answer, position, begin)
            yield Page(records=records, cursor=_cursor(position))
            count, total = len(answer["issues"]), answer.get("total")
            if count < self.settings.page_size or (
                isinstance(total, int) and offset + count >= total
            ):
                return
            if self._minute(position[0]) == self._minute(anchor):
                offset += count
            else:
                anchor, offset = position[0], 0

    def _fresh(
        self, answer: dict[str, Any], position: _Position, begin: dt.datetime
    ) -> tuple[list[dict[str, Any]], _Position]:
        """The records of the answer's issues after ``position``, and the new position."""
        issues = answer.get("issues")
        if not isinstance(issues, list) or not all(isinstance(i, dict) for i in issues):
            raise ConnectorError("Jira's search answer has no list of issues")
        records: list[dict[str, Any]] = []
        for issue in issues:
            at = _position(issue)
            if at <= position:
                continue
            position = at
            records += self._records(issue, begin)
        return records, position

    def _minute(self, at: dt.datetime) -> str:
        return at.astimezone(self.zone).strftime(JQL_TIME)

    def _params(self, begin: dt.datetime) -> dict[str, str]:
        s = self.settings
        minute = self._minute(begin)
        jql = f"updated >= '{minute}'"
        if s.jql.strip():
            jql = f"({s.jql.strip()}) AND {jql}"
        fields = ["summary", "status", "priority", "issuetype", "created", "updated"]
        if s.organizations_field:
            fields.append(s.organizations_field)
        return {
            "jql": f"{jql} ORDER BY updated ASC, key ASC",
            "maxResults": str(s.page_size),
            "fields": ",".join(fields),
            "expand": "changelog",
        }

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        answer = self.http.get_json(f"{self.api}/{path}", params=params, auth=self.auth)
        if not isinstance(answer, dict):
            raise ConnectorError(f"Jira answered {path.split('/')[0]} with no JSON object")
        return answer

    def _histories(self, issue: dict[str, Any], key: str) -> list[dict[str, Any]]:
        """The issue's whole changelog, oldest first (read again when the search cut it)."""
        changelog = _object(issue.get("changelog"))
        histories = changelog.get("histories") or []
        total = changelog.get("total")
        if isinstance(total, int) and total > len(histories) and self.settings.api != "cloud":
            path = f"issue/{quote(key, safe='')}"  # Data Center: the issue's whole changelog
            whole = _object(self._get(path, {"fields": "status", "expand": "changelog"}))
            histories = _object(whole.get("changelog")).get("histories") or []
        elif isinstance(total, int) and total > len(histories):
            histories = []
            while len(histories) < MAX_CHANGELOG:
                params = {"startAt": str(len(histories)), "maxResults": str(CHANGELOG_PAGE)}
                answer = self._get(f"issue/{quote(key, safe='')}/changelog", params)
                values = answer.get("values")
                if not isinstance(values, list):
                    raise ConnectorError(f"Jira's changelog of {key} has no list of values")
                histories += values
                if answer.get("isLast") is not False or not values:
                    break
            else:
                raise ConnectorError(f"issue {key} has more than {MAX_CHANGELOG} changes")
        if not all(isinstance(h, dict) for h in histories):
            raise ConnectorError(f"Jira's changelog of {key} is not a list of histories")
        return sorted(histories, key=lambda h: (_instant_of(h, key), int(str(h.get("id") or 0))))

    def _records(self, issue: dict[str, Any], begin: dt.datetime) -> list[dict[str, Any]]:
        """The issue's creation and status or priority changes made at or after ``begin``."""
        key = str(issue.get("key") or "")
        fields = _object(issue.get("fields"))
        state = {name: _name(fields.get(name)) for name in REPLAYED}
        same = {
            "Issue key": key,
            "Summary": str(fields.get("summary") or ""),
            "Organizations": self._organization(fields),
        }
        out: list[tuple[dt.datetime, str, dict[str, str]]] = []
        for history in reversed(self._histories(issue, key)):
            items = [i for i in history.get("items") or [] if isinstance(i, dict)]
            changed = {str(i.get("field") or "").lower(): i for i in items}
            if any(name in changed for name in RECORDED):
                out.append((_instant_of(history, key), str(history.get("id") or ""), dict(state)))
            for name in REPLAYED:
                if name in changed:
                    state[name] = str(changed[name].get("fromString") or "")
        try:
            created = _instant(str(fields.get("created") or ""), f"issue {key}'s created")
        except ValueError as exc:
            raise ConnectorError(str(exc)) from None
        out.append((created, "", state))
        return [
            {
                **same,
                **{REPLAYED[name]: value for name, value in values.items()},
                "Created": _export_time(at),
                "Changed": _iso(at),
                "History id": history_id,
            }
            for at, history_id, values in reversed(out)
            if at >= begin
        ]

    def _organization(self, fields: dict[str, Any]) -> str:
        """The first of the issue's organizations (its customer), by name."""
        name = self.settings.organizations_field
        value = fields.get(name) if name else None
        if isinstance(value, list) and value:
            return _name(value[0])
        return ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _name(value: Any) -> str:
    """A field's name as Jira answers it (``{"name": "Done", "id": "10001"}``) or its text."""
    if isinstance(value, dict):
        return str(value.get("name") or value.get("value") or "")
    return "" if value is None else str(value)


def _instant(text: str, what: str = "an instant") -> dt.datetime:
    """A Jira instant (``2016-02-29T01:23:00.000+0000``), UTC."""
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{what}: {text[:40]!r} is not an instant") from None
    if value.tzinfo is None:
        raise ValueError(f"{what}: {text[:40]!r} has no offset")
    return value.astimezone(dt.UTC)


def _instant_of(history: dict[str, Any], key: str) -> dt.datetime:
    try:
        return _instant(str(history.get("created") or ""), f"a change of {key}")
    except ValueError as exc:
        raise ConnectorError(str(exc)) from None


_Position = tuple[dt.datetime, tuple[str, int]]


def _key_order(key: str) -> tuple[str, int]:
    match = KEY.match(key)
    return (match.group(1), int(match.group(2))) if match else ("", -1)


def _position(issue: dict[str, Any]) -> tuple[dt.datetime, tuple[str, int]]:
    key = str(issue.get("key") or "")
    if not KEY.match(key):
        raise ConnectorError(f"Jira answered an issue whose key is {key[:40]!r}")
    fields = _object(issue.get("fields"))
    try:
        return _instant(str(fields.get("updated") or ""), f"issue {key}'s updated"), _key_order(key)
    except ValueError as exc:
        raise ConnectorError(str(exc)) from None


def _cursor(position: tuple[dt.datetime, tuple[str, int]]) -> str:
    at, (project, number) = position
    return _iso(at) + "|" + (f"{project}-{number}" if project else "")


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def _export_time(at: dt.datetime) -> str:
    """An instant as Jira's export writes it (the shipped mapping's ``%d/%b/%y %I:%M %p``),
    in English whatever the process's locale."""
    utc = at.astimezone(dt.UTC)
    noon = "AM" if utc.hour < 12 else "PM"
    return f"{utc:%d}/{MONTHS[utc.month - 1]}/{utc:%y} {utc:%I:%M} {noon}"
