"""``slm connector``: connections that pull tickets from other systems (docs/connectors.md) —
list, show, add, run one now, and its runs. Thin over ``services.intake.connections`` and
``services.intake.pulls``; the services (and SQLAlchemy) are imported only when a command
runs."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from typing import Any

import typer

from servicelevel.cli.errors import fail, reports_errors

URL = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL).")
NAME = typer.Argument(..., help="The connection's name.")
app = typer.Typer(help="Connections that pull tickets from other systems.", no_args_is_help=True)


@app.command("list")
@reports_errors
def list_connections(url: str = URL) -> None:
    """Every connection: name, kind, state of its last pull, when, and where it pulls from."""
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.intake import connections
    from servicelevel.services.shared.errors import ServiceError
    from servicelevel.services.shared.uow import unit_of_work

    try:
        with unit_of_work(url or None) as session:
            rows = [
                (c.name, c.kind, c.state, _when(c.last_run_at), c.base_url)
                for c in connections.list_connections(session, actor=SYSTEM)
            ]
    except ServiceError as exc:
        raise fail(exc.message) from None
    if not rows:
        typer.echo("no connections (slm connector add)")
    _table(rows)


@app.command("show")
@reports_errors
def show_connection(name: str = NAME, url: str = URL) -> None:
    """A connection's fields, its settings (where its secret is read from, never the secret)
    and the state of its last pull."""
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.intake import connections
    from servicelevel.services.shared.errors import ServiceError
    from servicelevel.services.shared.uow import unit_of_work

    try:
        with unit_of_work(url or None) as session:
            c = connections.connection_named(session, actor=SYSTEM, name=name)
            fields: list[tuple[str, Any]] = [
                ("name", c.name),
                ("kind", c.kind),
                ("base_url", c.base_url),
                ("mapping", c.mapping),
                ("settings", json.dumps(c.settings, ensure_ascii=False, sort_keys=True)),
                ("interval_seconds", c.interval_seconds or "on demand only"),
                ("backfill_from", _when(c.backfill_from)),
                ("enabled", "yes" if c.enabled else "no"),
                ("write_back", "yes" if c.write_back else "no"),
                ("state", c.state),
                ("cursor", c.cursor or "-"),
                ("last_run_at", _when(c.last_run_at)),
                ("last_success_at", _when(c.last_success_at)),
                ("last_error", c.last_error or "-"),
            ]
    except ServiceError as exc:
        raise fail(exc.message) from None
    _table([(f"{k}:", str(v)) for k, v in fields])


@app.command("add")
@reports_errors
def add_connection(
    name: str = NAME,
    kind: str = typer.Option(..., "--kind", help="The source's kind: rt, rest…"),
    base_url: str = typer.Option(..., "--base-url", help="The source's address."),
    mapping: str = typer.Option(..., "--mapping", "-m", help="A shipped or stored mapping."),
    settings: str = typer.Option(
        "{}", "--settings", help='The kind\'s settings as JSON, e.g. \'{"query": "Queue = 1"}\'.'
    ),
    auth_kind: str = typer.Option("none", "--auth", help="none, basic, bearer, token_header."),
    username: str = typer.Option("", "--username", help="For basic authentication."),
    secret_env: str = typer.Option(
        "", "--secret-env", help="The environment variable the secret is read from at each pull."
    ),
    secret_file: str = typer.Option(
        "", "--secret-file", help="Or the file (an absolute path) it is read from."
    ),
    every: int | None = typer.Option(
        None, "--every", help="Pull every N seconds (60 or more); none: on demand only."
    ),
    backfill_from: str = typer.Option(
        "", "--backfill-from", help="The first pull reads from this instant (with its offset)."
    ),
    write_back: bool = typer.Option(
        False, "--write-back", help="Post each pulled ticket's SLA state back to the source."
    ),
    url: str = URL,
) -> None:
    """Add a connection (the secret itself is never stored: name where it is read from)."""
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.intake import connections
    from servicelevel.services.shared.errors import ServiceError
    from servicelevel.services.shared.uow import unit_of_work

    data = connections.ConnectionData(
        name=name,
        kind=kind,
        base_url=base_url,
        mapping=mapping,
        settings=_settings(settings, auth_kind, username, secret_env, secret_file),
        interval_seconds=every,
        backfill_from=_instant(backfill_from) if backfill_from else None,
        write_back=write_back,
    )
    try:
        with unit_of_work(url or None) as session:
            made = connections.create_connection(session, actor=SYSTEM, data=data)
            made_id = made.id
    except ServiceError as exc:
        raise fail(_named(exc)) from None
    typer.echo(f"connection {name} added (id {made_id}); pull it with: slm connector run {name}")


@app.command("run")
@reports_errors
def run_connection(
    name: str = NAME,
    queue: bool = typer.Option(False, "--queue", help="Leave the pull to a worker (a job)."),
    url: str = URL,
) -> None:
    """Pull the connection now (or, with --queue, queue the pull for a worker); a failed pull
    is recorded with its reason and ends with exit status 1."""
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.intake import connections, pulls
    from servicelevel.services.shared.errors import ServiceError
    from servicelevel.services.shared.uow import unit_of_work

    try:
        with unit_of_work(url or None) as session:
            found = connections.connection_named(session, actor=SYSTEM, name=name)
            if queue:
                job = pulls.request_run(session, actor=SYSTEM, connection_id=found.id)
                job_id = job.id
            else:
                result = pulls.pull_and_write_back(
                    session, actor=SYSTEM, connection_id=found.id, now=dt.datetime.now(dt.UTC)
                )
    except ServiceError as exc:
        raise fail(exc.message) from None
    if queue:
        typer.echo(f"pull of {name} queued as job {job_id}")
        return
    typer.echo(
        f"{name}: {result['outcome']}: {result['pages']} page(s), {result['records']} "
        f"record(s), {result['stored']} event(s) stored, {result['duplicates']} already there"
    )
    if "written_back" in result:
        typer.echo(f"SLA state written back to {result['written_back']} ticket(s)")
    for problem in (result["error"], result.get("write_back_error", "")):
        if problem:
            from rich.console import Console

            Console(stderr=True).print(f"[bold red]error:[/] {problem}", highlight=False)
    if result["error"] or result.get("write_back_error"):
        raise typer.Exit(code=1)


@app.command("runs")
@reports_errors
def list_runs(
    name: str = NAME,
    limit: int = typer.Option(20, "--limit", min=1, max=1000, help="How many, newest first."),
    url: str = URL,
) -> None:
    """The connection's pulls, newest first: when, outcome, what was read and stored, why one
    failed."""
    from servicelevel.services.identity.permissions import SYSTEM
    from servicelevel.services.intake import connections, pulls
    from servicelevel.services.shared.errors import ServiceError
    from servicelevel.services.shared.uow import unit_of_work

    try:
        with unit_of_work(url or None) as session:
            found = connections.connection_named(session, actor=SYSTEM, name=name)
            rows = [
                (
                    _when(r.started_at),
                    r.outcome,
                    f"{r.pages} page(s)",
                    f"{r.records} record(s)",
                    f"{r.stored} stored",
                    f"{r.duplicates} already there",
                    r.error,
                )
                for r in pulls.list_runs(session, actor=SYSTEM, connection_id=found.id, limit=limit)
            ]
    except ServiceError as exc:
        raise fail(exc.message) from None
    if not rows:
        typer.echo(f"{name} has not been pulled yet (slm connector run {name})")
    _table(rows)


def _settings(text: str, kind: str, username: str, env: str, path: str) -> dict[str, Any]:
    try:
        settings = json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"--settings: not JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(settings, dict):
        raise fail('--settings: a JSON object, e.g. \'{"query": "Queue = 1"}\'')
    auth: dict[str, Any] = {"kind": kind}
    for key, value in (("username", username), ("secret_env", env), ("secret_file", path)):
        if value:
            auth[key] = value
    if "auth" not in settings or kind != "none":
        settings["auth"] = auth
    return settings


def _instant(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise fail(f"--backfill-from: {text!r} is not an instant (2026-01-01T00:00:00Z)") from None
    if value.tzinfo is None:
        raise fail("--backfill-from: give the instant with its UTC offset (…Z or +08:00)")
    return value


def _named(exc: Any) -> str:
    """A service's refusal with the option (or setting) it is about."""
    options = {"interval_seconds": "--every", "base_url": "--base-url", "kind": "--kind"}
    where = options.get(exc.field or "") or exc.field
    return f"{where}: {exc.message}" if where else str(exc.message)


def _when(moment: dt.datetime | None) -> str:
    if moment is None:
        return "-"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _table(rows: Sequence[tuple[str, ...]]) -> None:
    if not rows:
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=True)]
        typer.echo("  ".join(cells).rstrip())
