"""``slm import``: operational data in from files (ticket exports with a mapping)."""

from __future__ import annotations

import csv
from pathlib import Path

import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.definitions.ticket_mappings import Rejected, load_mapping, read_rows
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.intake import records as ticket_import
from servicelevel.services.intake.events import EventData
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

app = typer.Typer(help="Import operational data.", no_args_is_help=True)


@app.command("tickets")
@reports_errors
def import_tickets(
    path: Path = typer.Argument(..., help="A ticket export: CSV, or CSV compressed with gzip."),
    mapping: str = typer.Option(
        "generic", "--mapping", "-m", help="servicenow, jira, generic, or a mapping file."
    ),
    source: str = typer.Option("", "--source", help="Name of the source (default: the mapping's)."),
    encoding: str = typer.Option(
        "",
        "--encoding",
        "-e",
        help="The file's encoding, e.g. gbk (default: the mapping's, utf-8).",
    ),
    accept_valid: bool = typer.Option(
        False, "--accept-valid", help="Store the valid rows; list the others in --rejects."
    ),
    rejects: Path | None = typer.Option(None, "--rejects", help="Where to write rejected rows."),
    create_customers: bool = typer.Option(
        False, "--create-customers", help="Create the customers the export names that are unknown."
    ),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Import ticket events: all or nothing, unless --accept-valid; re-importing is harmless."""
    chosen = load_mapping(mapping)
    rows, found = read_rows(path, chosen, encoding or None)
    rejected = [r for r in found if r.fatal]
    reported = [r for r in found if not r.fatal]
    if rejected and not accept_valid:
        listed = "; ".join(f"line {r.line}: {r.reason}" for r in rejected[:5])
        raise fail(
            f"{path}: {len(rejected)} row(s) cannot be read ({listed}); nothing was "
            "imported (use --accept-valid to import the others)"
        )
    events = [EventData(**{k: v for k, v in r.items() if k != "line"}) for r in rows]
    try:
        with unit_of_work(url or None) as session:
            result, created = ticket_import.import_events(
                session,
                actor=SYSTEM,
                source=source or chosen.model.source,
                events=events,
                create_customers=create_customers,
            )
    except ServiceError as exc:
        problems = exc.details or []
        listed = "; ".join(
            f"line {rows[int(str(p['row'])) - 1]['line']}: {p['message']}" for p in problems[:5]
        )
        raise fail(f"{path}: {exc.message}" + (f" ({listed})" if listed else "")) from None
    if rejected and rejects is not None:
        _write_rejects(rejects, rejected)
    if created:
        typer.echo(f"{len(created)} customer(s) created: {', '.join(created[:10])}")
    if reported:
        listed = ", ".join(r.reason.replace("the same row as ", f"{r.line} = ") for r in reported)
        typer.echo(f"{path}: {len(reported)} duplicate row(s) stored once (line {listed})")
    typer.echo(
        f"{result.stored} event(s) stored ({result.duplicates} already there), "
        f"{result.tickets_created} new ticket(s), {result.tickets_changed} ticket(s) changed"
        + (f"; {len(rejected)} row(s) rejected" if rejected else "")
    )


def _write_rejects(path: Path, rejected: list[Rejected]) -> None:
    columns = list(rejected[0].row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "reason", *columns])
        for r in rejected:
            writer.writerow([r.line, r.reason, *(r.row.get(c, "") for c in columns)])
