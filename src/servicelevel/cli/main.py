"""The ``slm`` command: thin over definitions, engine and reports; errors never show a traceback.

Each command's module is imported only when that command runs (see ``cli.lazy``): listing the
commands, or running one of them, no longer imports what every other command needs.
"""

from __future__ import annotations

import typer

from servicelevel import __version__
from servicelevel.cli.lazy import Entry, LazyGroup

COMMANDS = {
    "serve": Entry(
        "servicelevel.cli.serve:serve",
        "Migrate the database, then serve the API on http://HOST:PORT/api/v1.",
    ),
    "worker": Entry(
        "servicelevel.cli.worker:run_worker",
        "Process jobs from the database queue (run several, on several machines, if you like).",
    ),
    "recompute": Entry(
        "servicelevel.cli.worker:recompute_agreement",
        "Recompute an agreement's measurements, or those of every agreement covering a service\n"
        "(queued for a worker, or --now for one agreement).",
    ),
    "evaluate": Entry(
        "servicelevel.cli.evaluate:evaluate",
        "Evaluate every target: compliance, breaches, availability and service credits.",
    ),
    "calendar": Entry(
        "servicelevel.cli.calendar:app", "Business time on a calendar: elapsed, deadline, show."
    ),
    "db": Entry("servicelevel.cli.db:app", "The database: migrations."),
    "user": Entry("servicelevel.cli.users:app", "Users and their roles."),
    "demo": Entry("servicelevel.cli.demo:app", "Demo data."),
    "outage": Entry("servicelevel.cli.outages:app", "Outages and maintenance windows."),
    "agreement": Entry("servicelevel.cli.agreements:app", "Agreements (SLA, OLA, UC) as files."),
    "import": Entry("servicelevel.cli.imports:app", "Import operational data."),
    "apply": Entry(
        "servicelevel.cli.apply:apply_files",
        "Create or update what the YAML documents describe (idempotent: twice changes nothing).",
    ),
    "export": Entry(
        "servicelevel.cli.apply:export_all",
        "Write every party, calendar, service, agreement and channel as YAML documents.",
    ),
    "party": Entry("servicelevel.cli.objects:parties", "Parties: customers, teams, suppliers."),
    "service": Entry("servicelevel.cli.objects:services", "Services of the catalog."),
    "report": Entry("servicelevel.cli.reports:app", "Service reports."),
    "mapping": Entry("servicelevel.cli.mappings:app", "Ticket mappings: shipped and stored."),
    "connector": Entry(
        "servicelevel.cli.connectors:app", "Connections that pull tickets from other systems."
    ),
    "key": Entry(
        "servicelevel.cli.key:app",
        "The deployment's key (signs sessions, encrypts channel secrets).",
    ),
}


class SlmGroup(LazyGroup):
    commands_to_load = COMMANDS


app = typer.Typer(
    name="slm",
    cls=SlmGroup,
    help="servicelevel — Service Level Management (服务级别管理).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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
