"""How large a request body may be, per route, checked before anything reads it.

Without a limit, an anonymous 50 MB body to ``/api/v1/auth/tokens`` was read whole before the
password was looked at, and a few in parallel took the server's memory from 680 MB to 1.9 GB.
This middleware sits in front of every other one (sessions, authentication, form and JSON
parsing): a declared ``Content-Length`` over the route's limit is answered 413 at once, without
reading a byte; a body sent without one (chunked) is counted as it streams in, and reading stops
with 413 the moment it passes the limit.

Limits (documented in docs/api.md): ``SLM_MAX_BODY_BYTES`` (1 MiB) for every route but the
imports, which take ``SLM_MAX_IMPORT_BODY_BYTES`` (50 MiB): ticket event batches and the queue,
webhooks, outage and survey imports.
"""

from __future__ import annotations

import json
import re

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicelevel.api.errors import error_body
from servicelevel.settings import get_settings

# Routes that carry a whole import in one body (POST only).
IMPORT_ROUTES = re.compile(
    r"^/api/v1/(ticket-events(/queue)?|webhooks/[^/]+|outages/import|surveys/import)/?$"
)


def limit_for(method: str, path: str) -> int:
    """The largest body accepted by ``method path``."""
    settings = get_settings()
    if method == "POST" and IMPORT_ROUTES.match(path):
        return settings.max_import_body_bytes
    return settings.max_body_bytes


def too_large_message(limit: int) -> str:
    return f"the request body is larger than this route accepts ({limit:,} bytes)"


class BodyLimitMiddleware:
    """Pure ASGI: 413 for a body over the route's limit, declared or streamed."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["method"], scope["path"])
        declared = _content_length(scope)
        if declared is not None and (declared < 0 or declared > limit):
            status = 413 if declared > limit else 400
            await _refuse(scope, send, status, limit)
            return
        await self.app(scope, _counting(receive, limit), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


def _counting(receive: Receive, limit: int) -> Receive:
    """``receive`` that stops a body passing ``limit``: the HTTPException reaches the app's
    handlers (JSON error shape for the API, a page for the web UI)."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise HTTPException(413, too_large_message(limit))
        return message

    return counted


async def _refuse(scope: Scope, send: Send, status: int, limit: int) -> None:
    message = too_large_message(limit) if status == 413 else "the Content-Length is not a number"
    if str(scope["path"]).startswith("/api/"):
        body = json.dumps(error_body(status, message, "body")).encode()
        kind = b"application/json"
    else:
        body = message.encode()
        kind = b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    # The client may still be sending: ask it to stop rather than leave the connection open.
    headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
