"""``slm user``: people who sign in, and their roles."""

from __future__ import annotations

import typer

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import ROLES, SYSTEM
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work

app = typer.Typer(help="Users and their roles.", no_args_is_help=True)
ROLE_HELP = "ROLE or ROLE:PARTY_CODE (repeatable). Roles: " + ", ".join(ROLES)


@app.command()
@reports_errors
def create(
    username: str = typer.Argument(..., help="Sign-in name."),
    role: list[str] = typer.Option([], "--role", "-r", help=ROLE_HELP),
    password: str = typer.Option(
        ..., prompt=True, hide_input=True, confirmation_prompt=True, help="At least 10 characters."
    ),
    display_name: str = typer.Option("", "--name", help="Name shown in the product."),
    email: str = typer.Option("", "--email"),
    locale: str = typer.Option("en", "--locale", help="en, zh-Hans or zh-Hant."),
    url: str = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL)."),
) -> None:
    """Create a user (run by an operator on the server, so no sign-in is needed)."""
    grants = [
        identity.RoleGrant(*r.split(":", 1)) if ":" in r else identity.RoleGrant(r) for r in role
    ]
    try:
        with unit_of_work(url or None) as session:
            user = identity.create_user(
                session,
                actor=SYSTEM,
                username=username,
                password=password,
                roles=grants,
                display_name=display_name,
                email=email,
                locale=locale,
            )
            name = user.username
    except ServiceError as exc:
        raise fail(f"{exc.field + ': ' if exc.field else ''}{exc.message}") from None
    typer.echo(f"created user {name} with roles: {', '.join(role) or 'none'}")
