"""Errors on pages: a page in the visitor's language, never a stack trace or raw JSON.

A service error's message is translated with its values. Any other message (a framework's
"Not Found", pydantic's "Input should be a valid integer") is shown only when the catalogs know
it; otherwise the page says what the status means, so the whole page is in one language.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from servicelevel.i18n import translator
from servicelevel.services.shared.errors import ServiceError
from servicelevel.web.pages import render

HEADINGS = {
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    422: "Invalid request",
}
EXPLAINED = {
    403: "You may not open this page.",
    404: "There is nothing at this address: the link may be old, or the record removed.",
    405: "This address cannot be used that way.",
    409: "The record was changed in the meantime: reload the page and try again.",
    413: "What was sent is too large.",
    422: "The address or the form holds a value that cannot be read.",
    429: "Too many requests: wait a moment and try again.",
}
FALLBACK = "Something went wrong; it has been logged."


def page_for_error(request: Request, status: int, message: str | ServiceError) -> Response:
    if status == 401:
        return RedirectResponse("/login", status_code=303)
    heading = HEADINGS.get(status, "Something went wrong")
    shown = message if isinstance(message, ServiceError) else worded(status, message)
    return render(request, "error.html", status=status, heading=heading, message=shown)


def worded(status: int, message: str) -> str:
    """``message`` when the catalogs translate it, else the sentence for ``status``."""
    if message in translator("zh_Hans").messages:
        return message
    return EXPLAINED.get(status, FALLBACK)
