"""``slm agreement``: agreements as code (import and export in the agreement file format)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer
from rich.console import Console

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.definitions.source import read_yaml
from servicelevel.services.agreements import importing as agreement_import
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

app = typer.Typer(help="Agreements (SLA, OLA, UC) as files.", no_args_is_help=True)
out = Console(highlight=False)
URL = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL).")
SAID = {
    "created": "created {code} (version {number}, a draft)",
    "updated": "updated the draft version {number} of {code}",
    "new_version": "started version {number} of {code} with the file's content",
    "unchanged": "{code} already says what the file says: nothing to do",
}


@app.command("import")
@reports_errors
def import_agreement(
    path: Path = typer.Argument(..., help="An agreement file (docs/formats.md#agreements)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would change; change nothing."
    ),
    url: str = URL,
) -> None:
    """Create or update an agreement from a file (idempotent: importing twice changes nothing)."""
    document = read_yaml(path).data
    try:
        with unit_of_work(url or None) as session:
            result = agreement_import.import_document(
                session, actor=SYSTEM, document=document, dry_run=dry_run
            )
    except ServiceError as exc:
        where = f" ({exc.field})" if exc.field else ""
        raise fail(f"{path}{where}: {exc.message}") from None
    for line in result.diff:
        style = "green" if line.startswith("+") else "red" if line.startswith("-") else ""
        out.print(f"[{style}]{line}[/]" if style else line, markup=bool(style))
    said = SAID[result.action].format(code=result.code, number=result.number)
    typer.echo(f"dry run: would have {said}" if dry_run and result.action != "unchanged" else said)


@app.command("export")
@reports_errors
def export_agreement(
    code: str = typer.Argument(..., help="The agreement's id, e.g. SLA-2025-001."),
    number: int | None = typer.Option(None, "--version", min=1, help="Version (default: current)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    url: str = URL,
) -> None:
    """Write an agreement version as a file that `slm agreement import` reads back."""
    try:
        with unit_of_work(url or None) as session:
            document = agreement_import.export_by_code(
                session, actor=SYSTEM, code=code, number=number
            )
    except ServiceError as exc:
        raise fail(exc.message) from None
    text = as_yaml(document)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {code} to {output}")


@app.command("refresh")
@reports_errors
def refresh_agreements(url: str = URL) -> None:
    """Mark agreements expiring or expired as of today; put renewals on the work list."""
    with unit_of_work(url or None) as session:
        counts = agreement_lifecycle.refresh(
            session, actor=SYSTEM, today=dt.datetime.now(dt.UTC).date()
        )
    typer.echo(
        f"{counts['changed']} agreement(s) changed status; "
        f"{counts['work_items']} renewal(s) put on the work list"
    )
