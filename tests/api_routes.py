"""The API's operations, read from its OpenAPI document (every API route is in it; pages are
not), for tests that check each one is covered somewhere."""

from __future__ import annotations

from typing import Any

METHODS = {"get", "post", "put", "patch", "delete"}


def api_operations(app: Any) -> set[tuple[str, str]]:
    """``(METHOD, path)`` for every operation under /api/v1; never empty for a real app."""
    paths = app.openapi()["paths"]
    found = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
        if method in METHODS
    }
    assert len(found) > 30, "the OpenAPI document lists too few operations"
    return found
