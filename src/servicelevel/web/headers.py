"""Security headers on every answer, pages and API alike.

- ``Content-Security-Policy``: scripts only from this site (the vendored htmx and our own
  file, no inline script), styles from this site plus inline ones (the HTML reports and htmx's
  indicator style carry them), images from this site or ``data:``, no plugins, forms posted
  only here, and no framing (``frame-ancestors 'none'``, with ``X-Frame-Options: DENY`` for
  older browsers). The interactive API docs (``/api/v1/docs``) load Swagger UI from its CDN
  with an inline script, so that one page goes without the policy.
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: same-origin``.
- ``Strict-Transport-Security`` only when the request came over https (see :func:`https`);
  ``includeSubDomains`` only with ``SLM_HSTS_INCLUDE_SUBDOMAINS`` (it binds every subdomain
  of the site to https for a year, which only the owner of the whole domain can promise).

A pure ASGI middleware (no per-request task or body copy): it adds headers to the start of
the response and leaves everything else alone; a header the endpoint set itself is kept.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicelevel.settings import get_settings

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000"
NO_POLICY = ("/api/v1/docs",)  # Swagger UI: a CDN and an inline script
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def https(scheme: str, forwarded_proto: str | None) -> bool:
    """Whether the browser reached us over https: the request's own scheme, a proxy's
    ``X-Forwarded-Proto`` when ``SLM_TRUST_FORWARDED_PROTO`` is set, or ``SLM_COOKIE_SECURE``
    (the site is served over https by a proxy that does not say so)."""
    settings = get_settings()
    if settings.cookie_secure or scheme == "https":
        return True
    said = (forwarded_proto or "").split(",")[0].strip().lower()
    return settings.trust_forwarded_proto and said == "https"


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = _headers_for(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _headers_for(scope: Scope) -> list[tuple[bytes, bytes]]:
    extra = list(COMMON)
    if not str(scope.get("path", "")).startswith(NO_POLICY):
        extra.append((b"content-security-policy", POLICY.encode()))
    forwarded = next(
        (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"x-forwarded-proto"),
        None,
    )
    if https(str(scope.get("scheme", "http")), forwarded):
        hsts = HSTS + ("; includeSubDomains" if get_settings().hsts_include_subdomains else "")
        extra.append((b"strict-transport-security", hsts.encode()))
    return extra
