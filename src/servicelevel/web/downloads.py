"""Responses that hand a stored file to the browser."""

from __future__ import annotations

from fastapi.responses import Response


def pdf_response(content: bytes, name: str) -> Response:
    """A PDF shown in the browser, saved under its own name."""
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{name}"'},
    )
