"""Business conflicts as exceptions that carry their HTTP status, so no adapter guesses it.

Adapters turn them into a JSON error (API), a form message (web) or one CLI line; none of them
is ever a 500.
"""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "bad_request"

    details: list[dict[str, object]] | None = None  # every problem, when there are several

    def __init__(self, template: str, field: str | None = None, **params: object) -> None:
        """``template`` is English with ``{name}`` placeholders filled from ``params``; adapters
        may translate the template before filling it in (the web UI does)."""
        self.template = template
        self.params = params
        self.message = template.format(**params) if params else template
        self.field = field
        super().__init__(self.message)


class Unauthenticated(ServiceError):
    status = 401
    code = "unauthenticated"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class Invalid(ServiceError):
    status = 422
    code = "invalid"
