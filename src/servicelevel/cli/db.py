"""``slm db``: the database behind the product."""

from __future__ import annotations

from pathlib import Path

import typer

from servicelevel.cli.errors import reports_errors
from servicelevel.services.shared.database import (
    backup_database,
    restore_database,
    upgrade_database,
)

app = typer.Typer(help="The database: migrations.", no_args_is_help=True)


@app.command()
@reports_errors
def upgrade(
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Bring the database to the current schema (creates a SQLite file if there is none)."""
    used = upgrade_database(url or None)
    typer.echo(f"database at {used} is up to date")


@app.command("backup")
@reports_errors
def backup_command(
    path: Path = typer.Argument(..., help="File to write (gzip, JSON lines)."),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Write every row of the database to a portable backup file."""
    counts = backup_database(path, url or None)
    typer.echo(f"backed up {sum(counts.values())} rows from {len(counts)} tables to {path}")


@app.command("restore")
@reports_errors
def restore_command(
    path: Path = typer.Argument(..., help="A file written by `slm db backup`."),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Load a backup into an empty database (SQLite or PostgreSQL, either way round)."""
    counts = restore_database(path, url or None)
    typer.echo(f"restored {sum(counts.values())} rows into {len(counts)} tables")
