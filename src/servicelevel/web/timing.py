"""``Server-Timing`` on every answer: how long the application took to start answering.

The page benchmark (``benchmarks/bench_pages.py``) reads it, and so can a browser's developer
tools, so that server time is told apart from network and rendering time. The duration runs from
the request's arrival to the start of the response (status and headers), which for a rendered
page is the whole of its work; a streamed body's later chunks are not in it. A pure ASGI
middleware, like the security headers: no per-request task or body copy.
"""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class ServerTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                took = (time.perf_counter() - started) * 1000
                header = (b"server-timing", f"app;dur={took:.1f}".encode())
                message = {**message, "headers": [*message.get("headers", []), header]}
            await send(message)

        await self.app(scope, receive, timed)
