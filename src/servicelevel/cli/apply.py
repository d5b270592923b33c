"""``slm apply`` and ``slm export``: parties, calendars, services, agreements, notification
channels and users as YAML documents (docs/formats.md#everything-as-code)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.definitions.instants import parse_instant
from servicelevel.definitions.resources import read_documents
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.as_code import apply
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

URL = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL).")
SAID = {
    "created": "created",
    "updated": "updated",
    "new_version": "new version started",
    "unchanged": "unchanged",
    "kept": "exists: left as it is",
    "in_force": "put in force",
}


@reports_errors
def apply_files(
    path: Path = typer.Option(..., "--file", "-f", help="A YAML file, or a directory of them."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Show what would change; change nothing."
    ),
    sign_as: str = typer.Option(
        "",
        "--sign-as",
        help="Put the agreements in force, signed by these users (comma-separated): the first,\n"
        "a process owner, proposes, approves and activates; each signs for their side.",
    ),
    effective: str = typer.Option(
        "", "--effective", help="When the agreements come into force (default: their term's start)."
    ),
    url: str = URL,
) -> None:
    """Create or update what the YAML documents describe (idempotent: twice changes nothing)."""
    documents = read_documents(path)
    at = parse_instant(effective, None) if effective else None
    signatories = [s.strip() for s in sign_as.split(",") if s.strip()]
    try:
        with unit_of_work(url or None) as session:
            changes = apply.apply_documents(
                session,
                actor=SYSTEM,
                documents=documents,
                dry_run=dry_run,
                sign_as=signatories,
                effective=None if at is None else dt.datetime.fromtimestamp(at, dt.UTC),
            )
    except apply.DocumentError as exc:
        raise fail(str(exc.document.error(exc.field or "", exc.message))) from None
    except ServiceError as exc:
        raise fail(f"{path}: {exc.field + ': ' if exc.field else ''}{exc.message}") from None
    _show(changes, dry_run)


def _show(changes: list[apply.Change], dry_run: bool) -> None:
    for change in changes:
        for line in change.diff:
            typer.echo(line)
        typer.echo(f"{change.name}: {SAID.get(change.action, change.action)}")
    changed = sum(1 for c in changes if c.action not in ("unchanged", "kept"))
    if not changed:
        typer.echo("nothing to change: the database already says what the files say")
    elif dry_run:
        typer.echo(f"dry run: {changed} change(s) not made")
    else:
        typer.echo(f"{changed} change(s) made")


@reports_errors
def export_all(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here, not stdout."),
    url: str = URL,
) -> None:
    """Write every party, calendar, service, agreement and channel as YAML documents."""
    with unit_of_work(url or None) as session:
        documents = apply.export_documents(session, actor=SYSTEM)
    text = "".join(f"---\n{as_yaml(d)}" for d in documents)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {len(documents)} document(s) to {output}")
