"""Browser sessions: a signed cookie with the user and a CSRF token, checked on every form.

The cookie is signed (itsdangerous) with the deployment's key (``SLM_SECRET_KEY`` or its key
file); it is HttpOnly, SameSite=Lax, and Secure whenever the request came over https (or
``SLM_COOKIE_SECURE`` says the site is served so). Every state-changing form carries the
session's CSRF token, compared in constant time. Before sign-in a pre-session cookie carries
the CSRF token of the login form. The cookie also carries the user's session generation at
sign-in: signing out or changing the password moves it on, which ends the session on the
server whatever the cookie's age (see ``identity.signed_in_user``).
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from servicelevel.settings import get_settings
from servicelevel.web.headers import https

COOKIE = "slm_session"
MAX_AGE = 12 * 3600


@dataclass(frozen=True)
class WebSession:
    user_id: int | None
    csrf: str
    generation: int | None = None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret(), salt="slm-web-session")


def read(request: Request) -> WebSession:
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data: dict[str, Any] = _serializer().loads(raw, max_age=MAX_AGE)
            generation = data.get("gen")
            return WebSession(
                data.get("uid"), str(data["csrf"]), generation if type(generation) is int else None
            )
        except (BadSignature, KeyError, TypeError, AttributeError):
            pass
    return WebSession(None, "")


def write(request: Request, response: Response, session: WebSession) -> None:
    data = {"uid": session.user_id, "csrf": session.csrf, "gen": session.generation}
    response.set_cookie(
        COOKIE,
        _serializer().dumps(data),
        max_age=MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=over_https(request),
    )


def over_https(request: Request) -> bool:
    return https(request.url.scheme, request.headers.get("x-forwarded-proto"))


def fresh(user_id: int | None, generation: int | None = None) -> WebSession:
    return WebSession(user_id, secrets.token_urlsafe(24), generation)


def csrf_ok(session: WebSession, submitted: str) -> bool:
    return bool(session.csrf) and hmac.compare_digest(session.csrf, submitted)
