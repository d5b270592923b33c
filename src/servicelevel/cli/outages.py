"""``slm outage``: recorded outages and maintenance windows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.definitions.outages import read_outages
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import outages
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

app = typer.Typer(help="Outages and maintenance windows.", no_args_is_help=True)


@app.command("import")
@reports_errors
def import_outages(
    path: Path = typer.Argument(..., help="Outage list: CSV or YAML (docs/formats.md)."),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Record every outage of a file (all or nothing); instants need UTC offsets."""
    records = [
        outages.OutageData(r.service, _utc(r.start), _utc(r.end), r.planned, r.title)
        for r in read_outages(path)
    ]
    try:
        with unit_of_work(url or None) as session:
            count = outages.import_outages(session, actor=SYSTEM, records=records, source=path.name)
    except ServiceError as exc:
        raise fail(exc.message) from None
    typer.echo(f"recorded {count} outages from {path}")


def _utc(epoch: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(epoch, dt.UTC)
