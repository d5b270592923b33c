"""How large a request body may be, per route, checked before anything reads it.

Without a limit, an anonymous 50 MB body to ``/api/v1/auth/tokens`` was read whole before the
password was looked at, and a few in parallel took the server's memory from 680 MB to 1.9 GB.
This middleware sits in front of every other one (sessions, authentication, form and JSON
parsing): a declared ``Content-Length`` over the route's limit is answered 413 at once, without
reading a byte; a body sent without one (chunked) is counted as it streams in, and reading stops
with 413 the moment it passes the limit.

Limits (documented in docs/api.md): ``SLM_MAX_BODY_BYTES`` (1 MiB) for every route and every
caller, but the imports — ticket event batches and the queue, webhooks, outage and survey
imports, and the survey import page — which take ``SLM_MAX_IMPORT_BODY_BYTES`` (16 MiB) from a
caller who is known: an API request whose bearer token the identity service accepts (one
indexed query, made here, before the body is read; an unknown, revoked or expired token is
answered 401 at once), a page request with a signed-in session cookie. Anyone else gets the
default limit on those routes too: FastAPI decodes a JSON body before it resolves the token, so
a 50 MiB import allowance open to all let an anonymous caller spend 5 s and a gigabyte of
memory before the 401.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicelevel.api.errors import BodyRefused, error_body
from servicelevel.services.identity import accounts as identity
from servicelevel.services.shared.errors import Unauthenticated
from servicelevel.settings import get_settings

# Routes that carry a whole import in one body (POST only): the API's, and the survey import page.
IMPORT_ROUTES = re.compile(
    r"^/api/v1/(ticket-events(/queue)?|webhooks/[^/]+|outages/import|surveys/import)/?$"
)
IMPORT_PAGES = re.compile(r"^/surveys/import/?$")
BEARER = re.compile(r"^bearer\s+(\S+)\s*$", re.IGNORECASE)


def is_import(method: str, path: str) -> bool:
    """Whether ``method path`` may take an import's body (from a known caller)."""
    return method == "POST" and bool(IMPORT_ROUTES.match(path) or IMPORT_PAGES.match(path))


def limit_for(method: str, path: str, known: bool = True) -> int:
    """The largest body accepted by ``method path``, from a known caller or not."""
    settings = get_settings()
    if known and is_import(method, path):
        return settings.max_import_body_bytes
    return settings.max_body_bytes


def too_large_message(limit: int, imports_for_known: bool = False) -> str:
    message = f"the request body is larger than this route accepts ({limit:,} bytes)"
    if imports_for_known:
        larger = get_settings().max_import_body_bytes
        message += f"; signed in or with an API token, up to {larger:,} bytes"
    return message


class BodyLimitMiddleware:
    """Pure ASGI: 413 for a body over the route's limit, declared or streamed.

    ``signed_in`` tells whether a page request carries a signed-in session (the web layer's
    cookie check, given by the application: the API layer does not know pages)."""

    def __init__(self, app: ASGIApp, signed_in: Callable[[Request], bool] | None = None) -> None:
        self.app = app
        self.signed_in = signed_in

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], str(scope["path"])
        known = True
        if is_import(method, path):
            try:
                known = await self._known_caller(scope)
            except Unauthenticated as exc:
                await _answer(scope, receive, send, exc)
                return
        limit = limit_for(method, path, known)
        message = too_large_message(limit, imports_for_known=not known)
        declared = _content_length(scope)
        if declared is not None and declared < 0:
            await _answer(
                scope, receive, send, BodyRefused(400, "the Content-Length is not a number")
            )
            return
        if declared is not None and declared > limit:
            await _answer(scope, receive, send, BodyRefused(413, message))
            return
        await self.app(scope, _counting(receive, limit, message), send)

    async def _known_caller(self, scope: Scope) -> bool:
        """Whether the caller of an import route is known: a bearer token the identity service
        accepts (raises :class:`Unauthenticated` for one it refuses), or a signed-in session
        cookie on a page (its signature checked; the page itself checks the rest). No token, no
        cookie: not known."""
        request = Request(scope)
        if not str(scope["path"]).startswith("/api/"):
            return self.signed_in is not None and self.signed_in(request)
        found = BEARER.match(request.headers.get("authorization", ""))
        if found is None:
            return False
        await run_in_threadpool(_look_up, scope, found.group(1))
        return True


def _look_up(scope: Scope, token: str) -> None:
    """The identity service's token look-up (the one ``api.deps.get_actor`` makes), in a session
    of its own, closed before the request opens its own (the route looks the token up again and
    records its use)."""
    with scope["app"].state.sessions() as session:
        identity.actor_for_token(session, token)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return -1
    return None


def _counting(receive: Receive, limit: int, message: str) -> Receive:
    """``receive`` that stops a body passing ``limit``: the exception reaches the app's
    handlers (JSON error shape for the API, a page for the web UI)."""
    received = 0

    async def counted() -> Message:
        nonlocal received
        message_ = await receive()
        if message_["type"] == "http.request":
            received += len(message_.get("body", b""))
            if received > limit:
                raise BodyRefused(413, message)
        return message_

    return counted


async def _answer(scope: Scope, receive: Receive, send: Send, exc: Exception) -> None:
    """Answer ``exc`` as the application's own handler would (the JSON error shape under /api/,
    the error page elsewhere), without reading the body."""
    response: Response | None = None
    app = scope.get("app")
    handlers = getattr(app, "exception_handlers", {}) if app is not None else {}
    for kind in type(exc).__mro__:
        if kind in handlers:
            response = await handlers[kind](Request(scope, receive), exc)
            break
    if response is None:  # no application around us (not the case in the service)
        status = exc.status_code if isinstance(exc, HTTPException) else 401
        response = JSONResponse(error_body(status, str(exc), "body"), status)
    await response(scope, receive, send)
