"""The FastAPI application: REST API under /api/v1, OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI
from sqlalchemy.orm import Session, sessionmaker

from servicelevel import __version__
from servicelevel.api import errors
from servicelevel.api.routers import calendars, identity, parties
from servicelevel.db.session import make_engine, session_factory
from servicelevel.settings import get_settings

API = "/api/v1"


def create_app(
    database_url: str | None = None, sessions: sessionmaker[Session] | None = None
) -> FastAPI:
    """An application bound to ``database_url`` (default: ``SLM_DATABASE_URL``), or to a
    ready session factory (tests bind one to a transaction they roll back)."""
    app = FastAPI(
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
    errors.install(app)
    api = APIRouter(prefix=API)
    for module in (parties, calendars, identity):
        api.include_router(module.router)
    app.include_router(api)
    return app
