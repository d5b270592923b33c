"""``slm serve``: the REST API (and, as it grows, the web UI) on one port."""

from __future__ import annotations

import os
import threading

import typer
import uvicorn

from servicelevel.cli.errors import reports_errors
from servicelevel.db.session import make_engine, session_factory
from servicelevel.jobs import worker
from servicelevel.services.shared.database import upgrade_database
from servicelevel.settings import get_settings


def start_worker(url: str) -> threading.Thread:
    """The single in-process worker SQLite needs (PostgreSQL deployments run `slm worker`)."""
    sessions = session_factory(make_engine(url))
    thread = threading.Thread(target=worker.run, args=(sessions,), name="slm-worker", daemon=True)
    thread.start()
    return thread


@reports_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(1, "--workers", help="Processes (2 or more need PostgreSQL)."),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
    with_worker: bool = typer.Option(
        True, "--worker/--no-worker", help="On SQLite, run the job worker in this process."
    ),
) -> None:
    """Migrate the database, then serve the API on http://HOST:PORT/api/v1."""
    if url:
        os.environ["SLM_DATABASE_URL"] = url  # the workers read their settings from here
    settings = get_settings()
    settings.secret(create=True)  # made now (the workers share it), or refused if it is public
    key_file = settings.secret_path()
    typer.echo(f"key: {'SLM_SECRET_KEY' if key_file is None else key_file}")
    used = upgrade_database(url or None)
    typer.echo(f"database {used} is up to date")
    if with_worker and used.startswith("sqlite"):
        start_worker(used)
        typer.echo("background jobs run in this process (SQLite: one worker)")
    typer.echo(f"open http://{host}:{port}/ (web UI) — API: http://{host}:{port}/api/v1/docs")
    uvicorn.run("servicelevel.app:create_app", factory=True, host=host, port=port, workers=workers)
