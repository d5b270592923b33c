"""One JSON error shape for every failure: ``{"error": {status, code, message, field}}``.

Service errors carry their status; request validation becomes 422 naming the offending field;
anything unexpected is logged and answered with a JSON 500 (the test suite treats any 500 as a
bug). Nothing is ever answered with a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException

from servicelevel.services.shared.errors import ServiceError

log = logging.getLogger(__name__)
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
NUMERIC_VALUE_OUT_OF_RANGE = "22003"  # PostgreSQL's SQLSTATE for an id past 2^63-1
CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    500: "internal",
    503: "unavailable",
}


def error_body(status: int, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {
        "status": status,
        "code": CODES.get(status, "error"),
        "message": message,
        "field": field,
        **extra,
    }
    return {"error": body}


class BodyRefused(HTTPException):
    """A request body refused for its size or its Content-Length, before it is read: answered
    like every error (the JSON shape with field ``body`` under /api/, the error page elsewhere),
    asking the client to stop sending."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(status, message, headers={"Connection": "close"})


HtmlFallback = Callable[[Request, int, str | ServiceError], Response | None]


def _respond(status: int, message: str, field: str | None = None, **extra: Any) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(error_body(status, message, field, **extra), status, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts)


def _problem(error: dict[str, Any], body: Any) -> dict[str, str]:
    """One validation problem as ``{field, message}``. A body that is not JSON is named
    ``body``, with the line and column where the parser stopped (not its character offset)."""
    if error.get("type") != "json_invalid":
        return {"field": _field(tuple(error.get("loc", ()))), "message": str(error.get("msg", ""))}
    loc = tuple(error.get("loc", ()))
    offset = loc[-1] if loc and isinstance(loc[-1], int) else 0
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body or "")
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    reason = str((error.get("ctx") or {}).get("error", "")) or "invalid JSON"
    return _body(f"the body is not valid JSON: {reason} at line {line}, column {column}")


def _allowed(request: Request) -> str | None:
    """The methods documented for this path in the OpenAPI document (Starlette names only the
    first matching route's); where a literal path and a template both match (``/agreements/
    refresh`` and ``/agreements/{id}``), the literal one. None for paths not the API's."""
    matches: list[tuple[int, set[str]]] = []
    parts = request.url.path.split("/")
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = template.split("/")
        if len(pattern) != len(parts):
            continue
        holes = [p.startswith("{") and p.endswith("}") for p in pattern]
        if all(h or p == q for h, p, q in zip(holes, pattern, parts, strict=True)):
            matches.append((sum(holes), {m.upper() for m in operations if m.upper() in METHODS}))
    if not matches:
        return None
    fewest = min(n for n, _ in matches)
    found = set().union(*(methods for n, methods in matches if n == fewest))
    if "GET" in found:
        found.add("HEAD")
    return ", ".join(sorted(found)) or None


def _body(message: str) -> dict[str, str]:
    return {"field": "body", "message": message}


def _api_field(field: str | None) -> str | None:
    """The API calls a record's optimistic-lock counter ``lock_version`` (services and forms
    call it ``version``)."""
    return "lock_version" if field == "version" else field


def install(app: FastAPI, html: HtmlFallback | None = None) -> None:
    """Install the handlers; ``html`` may answer errors of non-API requests with a page."""

    def answer(
        request: Request,
        status: int,
        message: str | ServiceError,
        field: str | None = None,
        **extra: Any,
    ) -> Response:
        page = html(request, status, message) if html is not None else None
        text = message.message if isinstance(message, ServiceError) else message
        return page if page is not None else _respond(status, text, field, **extra)

    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        extra = {"details": exc.details} if exc.details else {}
        return answer(request, exc.status, exc, _api_field(exc.field), **extra)

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError) -> Response:
        return answer(
            request, 409, "the record was changed by someone else; reload it", "lock_version"
        )

    @app.exception_handler(IntegrityError)
    async def integrity(request: Request, exc: IntegrityError) -> Response:
        log.warning("integrity error reached the API: %s", str(exc).splitlines()[0])
        return answer(request, 409, "the change conflicts with data already stored")

    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: DataError) -> Response:
        if getattr(exc.orig, "sqlstate", None) == NUMERIC_VALUE_OUT_OF_RANGE:
            return await overflow(request, OverflowError(str(exc.orig)))  # as SQLite says it
        reason = str(exc.orig).splitlines()[0] if exc.orig is not None else "invalid value"
        return answer(request, 422, f"a value cannot be stored: {reason}")

    @app.exception_handler(OverflowError)
    async def overflow(request: Request, exc: OverflowError) -> Response:
        """A number too large for the database (SQLite raises before the query runs): the API
        bounds its ids itself, this catches any path or form that does not."""
        return answer(request, 422, "a number is out of range (ids run from 1 to 2^63-1)")

    @app.exception_handler(OperationalError)
    async def unavailable(request: Request, exc: OperationalError) -> Response:
        log.warning("database unavailable: %s", str(exc).splitlines()[0])
        response = answer(request, 503, "the database is busy or unavailable; try again")
        response.headers["Retry-After"] = "1"
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [_problem(e, exc.body) for e in exc.errors()]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        return answer(request, 422, first["message"], first["field"] or None, details=errors)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if isinstance(exc, BodyRefused):
            response = answer(request, exc.status_code, str(exc.detail), "body")
            response.headers.update(exc.headers or {})
            return response
        if exc.status_code == 400:  # FastAPI could not parse the body (e.g. not UTF-8)
            message = f"the body cannot be read: {str(exc.detail).lower()}"
            return answer(request, 422, message, "body", details=[_body(message)])
        response = answer(request, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        if exc.status_code == 405 and (allowed := _allowed(request)):
            response.headers["Allow"] = allowed
        return response

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _respond(500, "internal error; it has been logged")
