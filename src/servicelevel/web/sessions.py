"""Browser sessions: a signed cookie with the user and a CSRF token, checked on every form.

The cookie is signed (itsdangerous) with ``SLM_SECRET_KEY``; it is HttpOnly and SameSite=Lax,
and every state-changing form carries the session's CSRF token, compared in constant time.
Before sign-in a pre-session cookie carries the CSRF token of the login form.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from servicelevel.settings import get_settings

COOKIE = "slm_session"
MAX_AGE = 12 * 3600


@dataclass(frozen=True)
class WebSession:
    user_id: int | None
    csrf: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().secret(), salt="slm-web-session")


def read(request: Request) -> WebSession:
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data: dict[str, Any] = _serializer().loads(raw, max_age=MAX_AGE)
            return WebSession(data.get("uid"), str(data["csrf"]))
        except (BadSignature, KeyError, TypeError):
            pass
    return WebSession(None, "")


def write(response: Response, session: WebSession, secure: bool = False) -> None:
    value = _serializer().dumps({"uid": session.user_id, "csrf": session.csrf})
    response.set_cookie(
        COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="lax", secure=secure
    )


def fresh(user_id: int | None) -> WebSession:
    return WebSession(user_id, secrets.token_urlsafe(24))


def csrf_ok(session: WebSession, submitted: str) -> bool:
    return bool(session.csrf) and hmac.compare_digest(session.csrf, submitted)
