"""Flash messages: one sentence after a form's redirect ("The change is saved."), shown once
on the page the browser lands on, then gone.

Why a cookie: the redirect after a POST (303, so that reloading does not send the form again)
loses everything the handler knew; the next page must still say that the action worked. A
short-lived signed cookie carries the message's catalog id and its values — not the text — so
the landing page shows it in its own language (base.html asks ``flash_messages``), and the
full page that showed it clears it.

Every POST that ends in a redirect gets a message: a handler may set its own (``add``, e.g.
"Version 2 signed."); :class:`FlashMiddleware` gives the others the plain one, so no action of
the web UI ends in silence. Sign-in, sign-out, the API and htmx requests are left alone.
A failed action does not redirect: its page is shown again with the error beside the field or
at the top (``role="alert"``), so there is nothing to carry to a next page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from itsdangerous import BadSignature, URLSafeSerializer
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicelevel.settings import get_settings
from servicelevel.web import pages
from servicelevel.web.sessions import over_https

COOKIE = "slm_flash"
MAX_AGE = 300  # the landing page follows the redirect at once; a forgotten one soon expires
SAVED = "The change is saved."
SUCCESS = "success"  # a failure is not flashed: its form is shown again with the error
SKIP = ("/api/", "/static/", "/login", "/logout")

Flash = tuple[str, str, dict[str, Any]]  # kind, message id, values for its placeholders


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(get_settings().secret(), salt="slm-flash")


def add(request: Request, response: Response, kind: str, message: str, **values: Any) -> None:
    """Say ``message`` (a catalog id with ``{name}`` placeholders) on the next page."""
    response.set_cookie(
        COOKIE,
        _serializer().dumps([[kind, message, values]]),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=over_https(request),
    )


def pending(request: Request) -> list[Flash]:
    """The messages waiting for this page (none when the cookie is missing or forged)."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        data = _serializer().loads(raw)
        return [(str(k), str(m), dict(v)) for k, m, v in data if k == SUCCESS]
    except (BadSignature, TypeError, ValueError):
        return []


def shown(request: Request, gettext: Callable[[str], str]) -> list[tuple[str, str]]:
    """The waiting messages as this page shows them: kind and translated sentence. An htmx
    fragment shows none (its page is already on screen; the next full page will)."""
    if request.headers.get("hx-request"):
        return []
    return [(kind, _sentence(gettext, text, values)) for kind, text, values in pending(request)]


def _sentence(gettext: Callable[[str], str], message: str, values: dict[str, Any]) -> str:
    try:
        return gettext(message).format(**values)
    except (KeyError, IndexError, ValueError):
        return gettext(message)


def install(app: FastAPI) -> None:
    """Pages can show the messages, and every form's redirect leaves one."""
    pages.env.globals["flash_messages"] = shown
    app.add_middleware(FlashMiddleware)


def _needs_default(message: Message) -> bool:
    """A redirect after a form that did its work and said nothing itself. A form sent after
    the session ended is answered by a redirect to the login page: nothing was done there."""
    headers = message.get("headers", [])
    if message["status"] not in (302, 303):
        return False
    location = next((v for k, v in headers if k.lower() == b"location"), b"")
    if location.split(b"?")[0].endswith(b"/login"):
        return False
    set_cookies = (v for k, v in headers if k.lower() == b"set-cookie")
    return not any(v.startswith(COOKIE.encode() + b"=") for v in set_cookies)


def _default_cookie(scope: Scope) -> tuple[bytes, bytes]:
    request = Request(scope)
    response = Response()
    add(request, response, SUCCESS, SAVED)
    return response.raw_headers[-1]


def _cleared(request: Request) -> tuple[bytes, bytes]:
    response = Response()
    response.delete_cookie(COOKIE, httponly=True, samesite="lax", secure=over_https(request))
    return response.raw_headers[-1]


def _shown_page(scope: Scope, message: Message) -> bool:
    """A full HTML page answered a request that carried messages: it has shown them."""
    headers = {k.lower(): v for k, v in message.get("headers", [])}
    html = headers.get(b"content-type", b"").startswith(b"text/html")
    return message["status"] == 200 and html and bool(Request(scope).cookies.get(COOKIE))


def _web(scope: Scope) -> bool:
    if scope["type"] != "http":
        return False
    path: str = scope["path"]
    hx = any(k.lower() == b"hx-request" for k, _ in scope.get("headers", []))
    return not hx and not path.startswith(SKIP)


class FlashMiddleware:
    """Gives every web form's redirect the plain "saved" message unless its handler set one,
    and clears the messages once a full page has shown them. A pure ASGI middleware, like the
    security headers: it touches only the response's start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _web(scope):
            await self.app(scope, receive, send)
            return
        posted = scope["method"] == "POST"

        async def flashed(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = None
                if posted and _needs_default(message):
                    extra = _default_cookie(scope)
                elif not posted and _shown_page(scope, message):
                    extra = _cleared(Request(scope))
                if extra is not None:
                    message = {**message, "headers": [*message.get("headers", []), extra]}
            await send(message)

        await self.app(scope, receive, flashed)
