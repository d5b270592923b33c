"""Errors on pages: a page in the visitor's language, never a stack trace or raw JSON."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from servicelevel.services.errors import ServiceError
from servicelevel.web.pages import render

HEADINGS = {
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Invalid request",
}


def page_for_error(request: Request, status: int, message: str | ServiceError) -> Response:
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    heading = HEADINGS.get(status, "Something went wrong")
    return render(request, "error.html", status=status, heading=heading, message=message)
