"""The ``slm`` command: thin over definitions, engine and reports; errors never show a traceback."""

from __future__ import annotations

import typer

from servicelevel import __version__
from servicelevel.cli import (
    agreements,
    calendar,
    db,
    demo,
    evaluate,
    imports,
    key,
    outages,
    serve,
    users,
    worker,
)

app = typer.Typer(
    name="slm",
    help="servicelevel — Service Level Management (服务级别管理).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(calendar.app, name="calendar")
app.add_typer(db.app, name="db")
app.add_typer(users.app, name="user")
app.add_typer(demo.app, name="demo")
app.add_typer(outages.app, name="outage")
app.add_typer(agreements.app, name="agreement")
app.add_typer(imports.app, name="import")
app.add_typer(key.app, name="key")
app.command("serve")(serve.serve)
app.command("worker")(worker.run_worker)
app.command("recompute")(worker.recompute_agreement)
app.command("evaluate")(evaluate.evaluate)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"servicelevel {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """servicelevel — Service Level Management (服务级别管理)."""
