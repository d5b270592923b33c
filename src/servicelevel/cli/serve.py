"""``slm serve``: the REST API (and, as it grows, the web UI) on one port."""

from __future__ import annotations

import os

import typer
import uvicorn

from servicelevel.cli.errors import reports_errors
from servicelevel.services.database import upgrade_database


@reports_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="Processes (2 or more need PostgreSQL)."),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Migrate the database, then serve the API on http://HOST:PORT/api/v1."""
    if url:
        os.environ["SLM_DATABASE_URL"] = url  # the workers read their settings from here
    used = upgrade_database(url or None)
    typer.echo(f"database {used} is up to date")
    typer.echo(f"open http://{host}:{port}/ (web UI) — API: http://{host}:{port}/api/v1/docs")
    uvicorn.run("servicelevel.app:create_app", factory=True, host=host, port=port, workers=workers)
