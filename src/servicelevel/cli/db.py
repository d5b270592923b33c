"""``slm db``: the database behind the product."""

from __future__ import annotations

import typer

from servicelevel.cli.errors import reports_errors
from servicelevel.services.database import upgrade_database

app = typer.Typer(help="The database: migrations.", no_args_is_help=True)


@app.command()
@reports_errors
def upgrade(
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Bring the database to the current schema (creates a SQLite file if there is none)."""
    used = upgrade_database(url or None)
    typer.echo(f"database at {used} is up to date")
