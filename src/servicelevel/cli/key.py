"""``slm key``: the deployment's key file (signs browser sessions, seals channel secrets)."""

from __future__ import annotations

import typer

from servicelevel.cli.errors import reports_errors
from servicelevel.settings import get_settings

app = typer.Typer(help="The deployment's key (signs sessions, encrypts channel secrets).")


@app.command("create")
@reports_errors
def create() -> None:
    """Make the key file if there is none (run as the user the server runs as); an existing
    one is kept. Other commands than this and `slm serve` never make one."""
    settings = get_settings()
    path = settings.secret_path()
    if path is None:
        settings.secret()  # checked: long enough, not a published one
        typer.echo("SLM_SECRET_KEY gives the key: no key file is used")
        return
    existed = path.exists()
    settings.secret(create=True)
    typer.echo(f"key file {path} {'kept (it exists)' if existed else 'made'}")


@app.command("path")
@reports_errors
def where() -> None:
    """Print where the key file is (made or not)."""
    path = get_settings().secret_path()
    typer.echo("SLM_SECRET_KEY gives the key" if path is None else str(path))
