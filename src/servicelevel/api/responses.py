"""What the OpenAPI document says an operation may answer besides its success, so that a
client (or a fuzzer) finds every answer it gets documented: the one error shape for every
error status, and the media types of operations that answer files."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    status: int
    code: str = Field(description="unauthenticated, forbidden, not_found, conflict, invalid…")
    message: str
    field: str | None = Field(description="The offending field, e.g. lock_version or body.")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="Every problem when there are several (`row` counts from 1)."
    )


class ErrorOut(BaseModel):
    """Every error, whatever its status."""

    error: ErrorBody


def _error(description: str, **headers: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"model": ErrorOut, "description": description}
    if headers:
        answer["headers"] = {
            k: {"schema": {"type": "string"}, "description": v} for k, v in headers.items()
        }
    return answer


ERRORS: dict[int | str, dict[str, Any]] = {
    401: _error(
        "No token, or an unknown, expired or revoked one", **{"WWW-Authenticate": "Bearer"}
    ),
    403: _error("The role may not do this (docs/permissions.md)"),
    404: _error("No such record, or one the caller may not see"),
    409: _error("A stale lock_version, a duplicate code, or a record still in use"),
    413: _error("The body is larger than the route takes"),
    422: _error("A malformed body or parameter; field names it, details lists all"),
    503: _error("The database is busy or unavailable", **{"Retry-After": "Seconds to wait"}),
}

JSON = "application/json"
HTML = "text/html"
PDF = "application/pdf"
YAML = "application/yaml"
CSV = "text/csv"


def files(*media_types: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of an operation that answers a file in one of ``media_types`` (beside
    any JSON its response model documents)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    text = {"schema": {"type": "string"}}
    document = {"schema": {"type": "object"}}  # JSON and YAML read back as an object
    content = {
        m: document if m in (JSON, YAML) else text if m in (HTML, CSV) else binary
        for m in media_types
    }
    return {200: {"description": "The document, in the format asked for", "content": content}}
