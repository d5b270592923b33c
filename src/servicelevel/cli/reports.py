"""``slm report``: publish a service report (the same revision the web page and the API
publish), from the command line."""

from __future__ import annotations

import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.services.agreements import importing as agreement_import
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

app = typer.Typer(help="Service reports.", no_args_is_help=True)


@app.command("publish")
@reports_errors
def publish(
    code: str = typer.Argument(..., help="The agreement's id, e.g. SLA-2025-001."),
    period: str = typer.Option(..., "--period", "-p", help="2026-03, 2026-Q1, 2026…"),
    note: str = typer.Option("", "--note", help="Commentary printed with the figures."),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Publish the period's report of an agreement as its next revision (in every language)."""
    try:
        with unit_of_work(url or None) as session:
            agreement_id = agreement_import.agreement_id_of(session, actor=SYSTEM, code=code)
            report = report_snapshots.publish(
                session, actor=SYSTEM, agreement_id=agreement_id, period=period, note=note
            )
            said = f"published {code} {report.period}, revision {report.revision} (id {report.id})"
    except ServiceError as exc:
        raise fail(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from None
    typer.echo(said)
