"""``slm party`` and ``slm service``: the day-to-day objects, listed and shown as documents
(the same documents ``slm apply`` reads and ``slm export`` writes)."""

from __future__ import annotations

import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.services.agreements.diff import as_yaml
from servicelevel.services.as_code import apply
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

URL = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL).")
SEARCH = typer.Option("", "--search", "-s", help="Only those whose code or name holds this.")
parties = typer.Typer(help="Parties: customers, teams, suppliers.", no_args_is_help=True)
services = typer.Typer(help="Services of the catalog.", no_args_is_help=True)


@parties.command("list")
@reports_errors
def list_parties(
    kind: str = typer.Option("", "--kind", help="customer, internal_team or supplier."),
    search: str = SEARCH,
    url: str = URL,
) -> None:
    """Every party: code, kind and name."""
    from servicelevel.services.parties import directory as party_service

    with unit_of_work(url or None) as session:
        page = party_service.list_parties(
            session, actor=SYSTEM, kind=kind or None, search=search or None, limit=1000
        )
        rows = [(p.code, p.kind, p.name) for p in page.items]
    _table(rows, page.total)


@parties.command("show")
@reports_errors
def show_party(code: str = typer.Argument(..., help="The party's code."), url: str = URL) -> None:
    """A party as the document slm apply reads."""
    _show("party", code, url)


@services.command("list")
@reports_errors
def list_services(
    status: str = typer.Option("", "--status", help="draft, approved, published or retired."),
    search: str = SEARCH,
    url: str = URL,
) -> None:
    """Every service: code, status and name."""
    try:
        with unit_of_work(url or None) as session:
            page = catalog.list_services(
                session, actor=SYSTEM, status=status or None, search=search or None, limit=1000
            )
            rows = [(s.code, s.status, s.name) for s in page.items]
    except ServiceError as exc:
        raise fail(exc.message) from None
    _table(rows, page.total)


@services.command("show")
@reports_errors
def show_service(
    code: str = typer.Argument(..., help="The service's code."), url: str = URL
) -> None:
    """A service, with its options, as the document slm apply reads."""
    _show("service", code, url)


def _show(kind: str, code: str, url: str) -> None:
    try:
        with unit_of_work(url or None) as session:
            document = apply.document_of(session, actor=SYSTEM, kind=kind, code=code)
    except ServiceError as exc:
        raise fail(exc.message) from None
    typer.echo(as_yaml(document), nl=False)


def _table(rows: list[tuple[str, str, str]], total: int) -> None:
    width = max((len(r[0]) for r in rows), default=4)
    for code, kind, name in rows:
        typer.echo(f"{code:<{width}}  {kind:<13}  {name}")
    if total > len(rows):
        typer.echo(f"… {total - len(rows)} more (narrow with --search)")
    elif not rows:
        typer.echo("none")
