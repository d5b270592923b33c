"""The application: REST API under /api/v1 and the web UI, on one port.

OpenAPI at /api/v1/openapi.json. Errors under /api/ answer JSON; errors on pages answer a page.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.orm import Session, sessionmaker

from servicelevel import __version__
from servicelevel.api import errors
from servicelevel.api.deps import SessionMiddleware
from servicelevel.api.limits import BodyLimitMiddleware
from servicelevel.api.responses import ERRORS
from servicelevel.api.routers import (
    agreements,
    alerts,
    calendars,
    catalog,
    connections,
    dashboard,
    identity,
    ingestion,
    jobs,
    outages,
    parties,
    reports,
    requirements,
    reviews,
    templates,
    tickets,
    underpinning,
    users,
    work,
)
from servicelevel.db.session import make_engine, session_factory
from servicelevel.services.shared.errors import ServiceError
from servicelevel.settings import get_settings
from servicelevel.web import flash
from servicelevel.web import sessions as web_sessions
from servicelevel.web.deps import NotSignedInError
from servicelevel.web.errors import page_for_error
from servicelevel.web.headers import SecurityHeadersMiddleware
from servicelevel.web.routes import router as pages
from servicelevel.web.timing import ServerTimingMiddleware

API = "/api/v1"
STATIC = Path(__file__).parent / "web" / "static"


def create_app(
    database_url: str | None = None, sessions: sessionmaker[Session] | None = None
) -> FastAPI:
    """An application bound to ``database_url`` (default: ``SLM_DATABASE_URL``), or to a
    ready session factory (tests bind one to a transaction they roll back)."""
    app = FastAPI(
        lifespan=_lifespan,
        title="servicelevel",
        version=__version__,
        description="Service Level Management (服务级别管理): catalog, agreements, monitoring.",
        openapi_url=f"{API}/openapi.json",
        docs_url=f"{API}/docs",
        redoc_url=None,
    )
    if sessions is None:
        sessions = session_factory(make_engine(database_url or get_settings().database_url))
    app.state.sessions = sessions
    app.add_middleware(SessionMiddleware)
    # before sessions and authentication read it; imports take more from a known caller
    app.add_middleware(BodyLimitMiddleware, signed_in=_signed_in)
    flash.install(app)  # a message after every form's redirect
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ServerTimingMiddleware)  # outermost: the whole of the server's time
    errors.install(app, html=_html_errors)
    api = APIRouter(prefix=API, responses=ERRORS)  # every operation documents its errors
    processes = (
        catalog,
        work,
        requirements,
        agreements,
        underpinning,
        dashboard,
        templates,
        reports,
        reviews,
    )
    # ingestion first: routes are matched in order, and event feeds are the busiest callers
    modules = (
        ingestion,
        connections,
        parties,
        calendars,
        *processes,
        tickets,
        outages,
        jobs,
        alerts,
    )
    for module in (*modules, identity, users):
        api.include_router(module.router)
    app.include_router(api)
    app.include_router(pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(NotSignedInError)
    async def login_required(_: Request, __: NotSignedInError) -> Response:
        return RedirectResponse("/login", status_code=303)

    return app


@asynccontextmanager
async def _lifespan(_: FastAPI) -> AsyncIterator[None]:
    """Sync endpoints run in a thread pool; ``SLM_THREADS`` sets its size per process.

    Everything loaded at start-up (modules, routes, templates) lives as long as the process:
    it is moved out of the garbage collector's sight (``gc.freeze``), so that the full
    collections a busy server makes now and then do not rescan it — they were the long tail
    of request latency under load."""
    get_settings().secret()  # refuse to start without a key, or with one anyone can read
    threads = get_settings().threads
    if threads > 0:
        anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    if not gc.get_freeze_count():  # once per process (tests start many apps)
        gc.collect()
        gc.freeze()
    yield


def _signed_in(request: Request) -> bool:
    """Whether a page request carries a signed-in session cookie (its signature checked)."""
    return web_sessions.read(request).user_id is not None


def _html_errors(request: Request, status: int, message: str | ServiceError) -> Response | None:
    """Pages get pages; the API keeps its JSON."""
    if request.url.path.startswith("/api/") or request.url.path.startswith("/static/"):
        return None
    return page_for_error(request, status, message)
