"""A small per-client rate limit for the pages anyone may open without signing in (a survey
link): at most :data:`LIMIT` requests per :data:`WINDOW` seconds from one address, counted in
this process (several server processes each count their own, which bounds the rate all the
same). Measured on the monotonic clock, not the wall clock."""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import Request

from servicelevel.services.shared.errors import ServiceError

LIMIT = 30
WINDOW = 600.0
MAX_CLIENTS = 10_000  # addresses remembered; the oldest are forgotten first

_seen: dict[str, deque[float]] = {}
_lock = threading.Lock()


class TooManyRequestsError(ServiceError):
    status = 429
    code = "too_many_requests"


def check(request: Request, *, now: float | None = None) -> None:
    """Count this request; refuse it (429) when its address has made too many lately."""
    client = request.client.host if request.client else "?"
    moment = time.monotonic() if now is None else now
    with _lock:
        hits = _seen.setdefault(client, deque())
        while hits and hits[0] <= moment - WINDOW:
            hits.popleft()
        if len(hits) >= LIMIT:
            raise TooManyRequestsError("too many requests; please try again in a few minutes")
        hits.append(moment)
        if len(_seen) > MAX_CLIENTS:
            _seen.pop(next(iter(_seen)))


def forget() -> None:
    """Start counting afresh (tests)."""
    with _lock:
        _seen.clear()
