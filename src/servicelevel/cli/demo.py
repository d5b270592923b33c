"""``slm demo``: demo data for trying the product."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from servicelevel.cli.errors import reports_errors
from servicelevel.demo.loader import DEMO_PASSWORD, USERS, load_demo
from servicelevel.services.shared.database import upgrade_database
from servicelevel.services.shared.uow import unit_of_work

app = typer.Typer(help="Demo data.", no_args_is_help=True)
out = Console()


@app.command()
@reports_errors
def load(
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Migrate the database and add the demo provider, parties, calendars and users (again
    and again: what exists is kept)."""
    upgrade_database(url or None)
    with unit_of_work(url or None) as session:
        added = load_demo(session)
    out.print("demo data: " + ", ".join(f"{v} {k} added" for k, v in added.items()))
    logins = Table(title=f"Demo logins (password: {DEMO_PASSWORD})")
    logins.add_column("username")
    logins.add_column("role")
    for user in USERS:
        logins.add_row(user.username, user.role + (f" ({user.party})" if user.party else ""))
    out.print(logins)
