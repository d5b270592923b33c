"""A generic JSON/REST source (kind ``rest``): any ticket system with a JSON list endpoint.

Configured by the connection's settings only, so Zammad, GLPI, iTop or Znuny can be connected
without code: the list URL (a path under the connection's base URL) and its query parameters,
the cursor (a field of each record, e.g. ``updated_at``, and the query parameter that sends it),
the JSON path to the records array, the pagination style (page number, offset and limit, a
next link in the body or a ``Link`` header), the page size and how many pages one run may read,
and optionally a per-record history URL whose entries (a ticket's state changes) each become a
record of their own, carrying the ticket's fields and the entry under ``history_as``.

Records come sorted by the cursor field (the list query must ask for that order); a page's
cursor is the greatest cursor value read so far, and the next run asks again from it
inclusively (``>=``), so a ticket changed in the same second as the page's last one is not
lost; what is read twice is stored once (ingestion's fingerprints). Every size is bounded and a
setting that cannot be used is a :class:`ConnectorError` naming it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any, ClassVar, Literal
from urllib.parse import quote, urljoin, urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from servicelevel.connectors.base import Auth, ConnectorError, Page
from servicelevel.connectors.http import HttpClient

MAX_RECORDS_PER_PAGE = 5_000  # one answer's records; a page size is at most 1,000
MAX_HISTORY = 10_000  # entries of one record's history
PLACEHOLDER = re.compile(r"\{([A-Za-z0-9_.]+)\}")
TEMPLATE_FIELDS = ("cursor", "page", "per_page", "offset", "limit")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CursorSettings(_Settings):
    """Which field of a record orders the pull and how the resume point is sent."""

    field: str = Field(min_length=1, max_length=200)  # dotted path in a record: updated_at
    param: str = Field(min_length=1, max_length=100)  # the query parameter: query
    # the parameter's value; {cursor} is the resume point: "updated_at:>={cursor}"
    template: str = Field(default="{cursor}", max_length=500)
    # where a first pull with no backfill date starts
    start: str = Field(default="1970-01-01T00:00:00Z", max_length=100)
    # how a backfill date is written: strftime format (UTC)
    since_format: str = Field(default="%Y-%m-%dT%H:%M:%SZ", max_length=100)


class PaginationSettings(_Settings):
    style: Literal["page", "offset", "next_link", "link_header"] = "page"
    page_param: str = Field(default="page", max_length=100)
    size_param: str = Field(default="per_page", max_length=100)  # page and next_link styles
    first_page: int = Field(default=1, ge=0, le=1)
    offset_param: str = Field(default="offset", max_length=100)
    limit_param: str = Field(default="limit", max_length=100)
    next_path: str = Field(default="next", max_length=200)  # next_link: where the URL is


class HistorySettings(_Settings):
    """Each record's history (e.g. a ticket's state changes), one record per entry kept."""

    path: str = Field(min_length=1, max_length=500)  # "/api/v1/ticket_history/{id}"
    records_path: str = Field(default="", max_length=200)  # "history"; "" the answer itself
    where: dict[str, str] = Field(default={}, max_length=20)  # entries kept: field → value
    history_as: str = Field(default="history", min_length=1, max_length=60)


class RestSettings(_Settings):
    path: str = Field(min_length=1, max_length=500)  # "/api/v1/tickets/search"
    params: dict[str, str] = Field(default={}, max_length=50)
    records_path: str = Field(default="", max_length=200)  # "" when the answer is the array
    cursor: CursorSettings
    pagination: PaginationSettings = PaginationSettings()
    page_size: int = Field(default=100, ge=1, le=1000)
    max_pages: int = Field(default=100, ge=1, le=10_000)
    history: HistorySettings | None = None


def read_settings(settings: dict[str, Any]) -> RestSettings:
    """The settings as a model; the first problem is a :class:`ConnectorError` naming the
    setting (``settings.pagination.style: …``). The ``auth`` entry is the framework's."""
    given = {k: v for k, v in settings.items() if k != "auth"}
    try:
        return RestSettings.model_validate(given)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in ("settings", *first["loc"]))
        raise ConnectorError(f"{where}: {first['msg']}") from None


class RestSource:
    """Pages of records from a JSON list endpoint (see the module docstring)."""

    kind: ClassVar[str] = "rest"

    def __init__(
        self, *, base_url: str, auth: Auth, settings: dict[str, Any], http: HttpClient
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth, self.http = auth, http
        self.settings = read_settings(settings)
        for name, value in (("path", self.settings.path),) + (
            (("history.path", self.settings.history.path),) if self.settings.history else ()
        ):
            if not value.startswith("/"):
                raise ConnectorError(f"settings.{name}: a path under the base URL, from /")

    def pages(self, *, cursor: str | None, since: dt.datetime | None) -> Iterator[Page]:
        """Pages of records changed at or after the resume point, each with the cursor to
        store once it is."""
        s = self.settings
        start = cursor or (
            since.astimezone(dt.UTC).strftime(s.cursor.since_format) if since else s.cursor.start
        )
        latest = cursor
        url: str | None = self.base_url + s.path
        params: dict[str, str] | None = self._params(start, 0)
        for number in range(s.max_pages):
            if url is None:
                return
            answer, link = self._get(url, params)
            records = _records(answer, s.records_path, "settings.records_path")
            if len(records) > MAX_RECORDS_PER_PAGE:
                raise ConnectorError(
                    f"a page held {len(records)} records, more than {MAX_RECORDS_PER_PAGE}: "
                    "lower settings.page_size"
                )
            latest = _latest(latest, records, s.cursor.field)
            yield Page(records=self._with_history(records), cursor=latest)
            url, params = self._next(url, answer, link, len(records), number + 1, start)

    def _params(self, start: str, number: int) -> dict[str, str]:
        """The query of the ``number``-th page (from 0) of a pull resuming at ``start``."""
        s, p = self.settings, self.settings.pagination
        values = {
            "cursor": start,
            "per_page": str(s.page_size),
            "limit": str(s.page_size),
            "page": str(p.first_page + number),
            "offset": str(number * s.page_size),
        }
        params = {k: _fill(v, values, f"settings.params.{k}") for k, v in s.params.items()}
        params[s.cursor.param] = _fill(s.cursor.template, values, "settings.cursor.template")
        if p.style == "page":
            params[p.page_param] = values["page"]
            params[p.size_param] = values["per_page"]
        elif p.style == "offset":
            params[p.offset_param] = values["offset"]
            params[p.limit_param] = values["limit"]
        else:
            params[p.size_param] = values["per_page"]
        return params

    def _next(
        self, url: str, answer: Any, link: str | None, count: int, number: int, start: str
    ) -> tuple[str | None, dict[str, str] | None]:
        """Where the next page is: a full page asks for the next number or offset; a next
        link (in the body or the Link header) is followed if it stays on the base URL's host."""
        style = self.settings.pagination.style
        if style in ("page", "offset"):
            if count < self.settings.page_size:
                return None, None
            return url, self._params(start, number)
        target = link if style == "link_header" else _text_at(answer, self._next_path())
        if not target:
            return None, None
        full = urljoin(url, target)
        if urlsplit(full)[:2] != urlsplit(self.base_url)[:2]:
            raise ConnectorError(
                f"the next page's link leads away from {urlsplit(self.base_url).netloc}: refused"
            )
        return full, None

    def _next_path(self) -> str:
        return self.settings.pagination.next_path

    def _get(self, url: str, params: dict[str, str] | None) -> tuple[Any, str | None]:
        """The answer's JSON and, for ``link_header`` pagination, its ``rel="next"`` link."""
        if self.settings.pagination.style != "link_header":
            return self.http.get_json(url, params=params, auth=self.auth), None
        answer, headers = self.http.get_json_with_headers(url, params=params, auth=self.auth)
        return answer, next_link(headers.get("link", ""))

    def _with_history(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each record, or (with a history URL) one record per kept history entry: the
        record's own fields and the entry under ``history_as``, in the entries' order."""
        h = self.settings.history
        if h is None:
            return records
        out: list[dict[str, Any]] = []
        for record in records:
            path = _fill(h.path, _flat(record), "settings.history.path", quoted=True)
            answer = self.http.get_json(self.base_url + path, params=None, auth=self.auth)
            entries = _records(answer, h.records_path, "settings.history.records_path")
            if len(entries) > MAX_HISTORY:
                raise ConnectorError(f"a history held more than {MAX_HISTORY} entries")
            for entry in entries:
                if all(str(_value_at(entry, k) or "") == v for k, v in h.where.items()):
                    out.append({**record, h.history_as: entry})
        return out


def next_link(header: str) -> str | None:
    """The ``rel="next"`` URL of a ``Link`` header (RFC 8288), if there is one."""
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if len(pieces) > 1 and pieces[0].startswith("<") and pieces[0].endswith(">"):
            rels = {p.replace(" ", "") for p in pieces[1:]}
            if {'rel="next"', "rel=next"} & rels:
                return pieces[0][1:-1]
    return None


def _fill(template: str, values: dict[str, str], setting: str, *, quoted: bool = False) -> str:
    """``template`` with its ``{name}`` placeholders replaced; an unknown name is an error
    naming the setting. ``quoted``: values are escaped for a URL path."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise ConnectorError(f"{setting}: no value for {{{name}}} in {template!r}")
        return quote(values[name], safe="") if quoted else values[name]

    return PLACEHOLDER.sub(one, template)


def _flat(record: dict[str, Any]) -> dict[str, str]:
    """A record's scalar fields by dotted name (for a history URL's placeholders)."""
    out: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", record)]
    while stack:
        prefix, value = stack.pop()
        if isinstance(value, dict):
            stack.extend((f"{prefix}{k}.", v) for k, v in value.items())
        elif value is not None and not isinstance(value, list):
            out[prefix[:-1]] = str(value)
    return out


def _value_at(document: Any, path: str) -> Any:
    """The value at a dotted path (``data.items``); "" is the document itself."""
    for key in path.split(".") if path else ():
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


def _text_at(document: Any, path: str) -> str | None:
    value = _value_at(document, path)
    return value if isinstance(value, str) and value else None


def _records(answer: Any, path: str, setting: str) -> list[dict[str, Any]]:
    found = _value_at(answer, path)
    if not isinstance(found, list) or not all(isinstance(r, dict) for r in found):
        where = f"at {path!r}" if path else "at the answer's top"
        raise ConnectorError(f"{setting}: no array of JSON objects {where}")
    return found


def _latest(latest: str | None, records: list[dict[str, Any]], field: str) -> str | None:
    """The greatest cursor value so far (values of one source sort as text: ISO instants)."""
    for record in records:
        value = _value_at(record, field)
        if value is None or isinstance(value, (dict, list)) or str(value) == "":
            raise ConnectorError(f"settings.cursor.field: a record has no {field!r}")
        if latest is None or str(value) > latest:
            latest = str(value)
    return latest
