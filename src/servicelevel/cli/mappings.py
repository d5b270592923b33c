"""``slm mapping``: the ticket mappings a webhook or a connection can read with — the shipped
ones and those stored (``slm apply`` kind ``mapping``, or ``/api/v1/ticket-mappings``)."""

from __future__ import annotations

import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

URL = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL).")
app = typer.Typer(help="Ticket mappings: shipped and stored.", no_args_is_help=True)


@app.command("list")
@reports_errors
def list_mappings(url: str = URL) -> None:
    """Every mapping: name, shipped or stored, and the source system it reads."""
    try:
        with unit_of_work(url or None) as session:
            found = ticket_mappings_store.list_mappings(session, actor=SYSTEM)
    except ServiceError as exc:
        raise fail(exc.message) from None
    width = max(len(m.name) for m in found)
    for m in found:
        typer.echo(f"{m.name:<{width}}  {'shipped' if m.shipped else 'stored':<7}  {m.source}")


@app.command("show")
@reports_errors
def show_mapping(
    name: str = typer.Argument(..., help="The mapping's name."), url: str = URL
) -> None:
    """A mapping's YAML (a shipped one is the starting point of a stored copy)."""
    try:
        with unit_of_work(url or None) as session:
            found = ticket_mappings_store.show_mapping(session, actor=SYSTEM, name=name)
    except ServiceError as exc:
        raise fail(exc.message) from None
    typer.echo(found.definition, nl=not found.definition.endswith("\n"))
