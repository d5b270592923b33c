"""HTTP for connectors: bounded, polite and retried.

Every answer is read as a stream and abandoned past ``max_bytes``; its JSON is refused when nested
deeper than :data:`MAX_JSON_DEPTH` before it is parsed. Connection errors, 5xx and 429 are retried
with exponential backoff, honouring ``Retry-After`` (seconds or an HTTP date, capped at
:data:`MAX_RETRY_AFTER`); other failures are a :class:`ConnectorError` naming the status and the
source's own short reason (ServiceNow's ``error.message``, Jira's ``errorMessages``), never the
credentials. ``sleep`` and ``clock`` are injectable so tests against loopback servers do not wait.
"""

from __future__ import annotations

import base64
import email.utils
import json
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from servicelevel.connectors.base import Auth, ConnectorError

MAX_JSON_DEPTH = 64
MAX_RETRY_AFTER = 300.0  # seconds; a longer wish is cut to this
MAX_BACKOFF = 60.0
MAX_REASON = 200  # characters of a source's error message kept
USER_AGENT = "servicelevel-connector/1"


def auth_headers(auth: Auth) -> dict[str, str]:
    """The request headers that carry ``auth``."""
    if auth.kind == "basic":
        token = base64.b64encode(f"{auth.username}:{auth.secret}".encode()).decode("ascii")
        return {"Authorization": f"Basic {token}"}
    if auth.kind == "bearer":
        return {"Authorization": f"Bearer {auth.secret}"}
    if auth.kind == "token_header":
        return {auth.header: auth.secret}
    return {}


def json_depth_ok(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``text`` nests arrays and objects at most ``limit`` deep (strings skipped), so a
    hostile answer cannot exhaust the parser's recursion."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return False
        elif char in "]}":
            depth -= 1
    return True


def retry_after_seconds(value: str | None, now: float) -> float | None:
    """``Retry-After`` as seconds from ``now`` (a number or an HTTP date), capped; None when
    absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - now
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def reason_of(body: bytes) -> str:
    """A source's short reason for a failure, read from its error body (ServiceNow
    ``{"error": {"message", "detail"}}``, Jira ``{"errorMessages": [...], "errors": {...}}``)."""
    try:
        data = json.loads(body.decode("utf-8", "replace")) if json_depth_ok(body.decode()) else None
    except (ValueError, UnicodeDecodeError):
        data = None
    parts: list[str] = []
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict):
            parts += [str(error[k]) for k in ("message", "detail") if error.get(k)]
        elif isinstance(error, str):
            parts.append(error)
        messages = data.get("errorMessages")
        if isinstance(messages, list):
            parts += [str(m) for m in messages if m]
        errors = data.get("errors")
        if isinstance(errors, dict):
            parts += [f"{k}: {v}" for k, v in errors.items()]
        if not parts and isinstance(data.get("message"), str):
            parts.append(data["message"])
    return "; ".join(parts)[:MAX_REASON]


class HttpClient:
    """JSON over HTTP with the bounds and retries every connector needs."""

    def __init__(
        self,
        *,
        timeout: float = 30.0,
        max_bytes: int = 20 * 1024 * 1024,
        min_interval: float = 0.0,
        retries: int = 4,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.timeout, self.max_bytes = timeout, max_bytes
        self.min_interval, self.retries = min_interval, retries
        self.sleep, self.clock = sleep, clock
        self.requests = 0  # sent, retries included: what a run cost the source
        self._last: float | None = None
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            transport=transport,
        )

    def close(self) -> None:
        """Release the connections."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get_json(self, url: str, *, params: Mapping[str, Any] | None, auth: Auth) -> Any:
        """The JSON answer to GET ``url``."""
        return self.request_json("GET", url, params=params, auth=auth)[0]

    def get_json_with_headers(
        self, url: str, *, params: Mapping[str, Any] | None, auth: Auth
    ) -> tuple[Any, Mapping[str, str]]:
        """The JSON answer to GET ``url`` and its headers (case-insensitive: ``Link``,
        ``X-Total-Count``)."""
        return self.request_json("GET", url, params=params, auth=auth)

    def post_json(self, url: str, *, body: Any, auth: Auth) -> Any:
        """The JSON answer to POST ``body`` to ``url`` (None for an empty answer)."""
        return self.request_json("POST", url, params=None, auth=auth, body=body)[0]

    def post_form(self, url: str, *, form: Mapping[str, str], auth: Auth) -> Any:
        """The JSON answer to POST ``form`` (``application/x-www-form-urlencoded``, as OAuth
        token endpoints require) to ``url``."""
        return self.request_json("POST", url, params=None, auth=auth, form=form)[0]

    def put_json(self, url: str, *, body: Any, auth: Auth) -> Any:
        """The JSON answer to PUT ``body`` to ``url`` (None for an empty answer)."""
        return self.request_json("PUT", url, params=None, auth=auth, body=body)[0]

    def request_json(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None,
        auth: Auth,
        body: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> tuple[Any, Mapping[str, str]]:
        """Send, retrying what may pass on a second try; the parsed JSON and the headers."""
        attempt = 0
        while True:
            attempt += 1
            self._pace()
            try:
                status, headers, content = self._send(method, url, params, auth, body, form)
            except httpx.TransportError as error:
                if attempt > self.retries:
                    raise ConnectorError(f"{_where(url)}: {type(error).__name__}") from None
                self.sleep(self._backoff(attempt))
                continue
            if status == 429 or status >= 500:
                if attempt > self.retries:
                    raise _failure(status, url, content)
                wait = retry_after_seconds(headers.get("retry-after"), time.time())
                self.sleep(self._backoff(attempt) if wait is None else wait)
                continue
            if status >= 400:
                raise _failure(status, url, content)
            return self._parse(content, url), headers

    def _send(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        auth: Auth,
        body: Any,
        form: Mapping[str, str] | None = None,
    ) -> tuple[int, httpx.Headers, bytes]:
        """One request; the answer read up to ``max_bytes``."""
        self.requests += 1
        self._last = self.clock()
        request = self._client.build_request(
            method,
            url,
            params=dict(params) if params else None,
            headers=auth_headers(auth),
            json=body if body is not None else None,
            data=dict(form) if form is not None else None,
        )
        response = self._client.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise ConnectorError(
                        f"{_where(url)}: the answer is larger than {self.max_bytes} bytes"
                    )
                chunks.append(chunk)
        finally:
            response.close()
        return response.status_code, response.headers, b"".join(chunks)

    def _parse(self, content: bytes, url: str) -> Any:
        if not content.strip():
            return None
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            raise ConnectorError(f"{_where(url)}: the answer is not UTF-8") from None
        if not json_depth_ok(text):
            raise ConnectorError(f"{_where(url)}: the answer nests deeper than {MAX_JSON_DEPTH}")
        try:
            return json.loads(text)
        except ValueError:
            raise ConnectorError(f"{_where(url)}: the answer is not JSON") from None

    def _pace(self) -> None:
        """Wait so requests are at least ``min_interval`` apart (the source's rate limit)."""
        if self.min_interval > 0 and self._last is not None:
            left = self.min_interval - (self.clock() - self._last)
            if left > 0:
                self.sleep(left)

    def _backoff(self, attempt: int) -> float:
        return float(min(2 ** (attempt - 1), MAX_BACKOFF))


def _where(url: str) -> str:
    """The URL without its query (which may hold a token)."""
    return str(httpx.URL(url).copy_with(query=None, fragment=None))


def _failure(status: int, url: str, content: bytes) -> ConnectorError:
    reason = reason_of(content)
    text = {401: "not authorised", 403: "forbidden", 404: "not found", 429: "too many requests"}
    short = text.get(status, "server error" if status >= 500 else "refused")
    return ConnectorError(
        f"HTTP {status} ({short}) from {_where(url)}" + (f": {reason}" if reason else "")
    )
