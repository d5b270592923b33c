"""``slm worker`` and ``slm recompute``: background work from the command line."""

from __future__ import annotations

import datetime as dt

import typer
from sqlalchemy.orm import Session

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.db.session import make_engine, session_factory
from servicelevel.definitions.instants import parse_instant
from servicelevel.jobs import worker
from servicelevel.services.agreements import importing as agreement_import
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import measuring, recompute
from servicelevel.services.shared.errors import ServiceError
from servicelevel.services.shared.uow import unit_of_work
from servicelevel.settings import get_settings

URL = typer.Option("", "--url", help="Database URL (default: SLM_DATABASE_URL).")


@reports_errors
def run_worker(
    once: bool = typer.Option(False, "--once", help="Stop when no job is due."), url: str = URL
) -> None:
    """Process jobs from the database queue (run several, on several machines, if you like)."""
    engine = make_engine(url or get_settings().database_url)
    sessions = session_factory(engine)

    def opened() -> Session:
        return sessions()

    done = worker.run(opened, once=once)
    typer.echo(f"{done} job(s) run")


@reports_errors
def recompute_agreement(
    code: str = typer.Argument("", help="The agreement's id, e.g. SLA-2025-001."),
    service: str = typer.Option(
        "", "--service", help="Instead: every agreement in force covering this service."
    ),
    now: bool = typer.Option(False, "--now", help="Compute here and now instead of queueing."),
    as_of: str = typer.Option(
        "",
        "--as-of",
        help="Compute here, as of this instant (ISO 8601 with offset): later events are\n"
        "ignored, clocks still running are judged by the time used up to it.",
    ),
    url: str = URL,
) -> None:
    """Recompute an agreement's measurements, or those of every agreement covering a service
    (queued for a worker, or --now for one agreement)."""
    if bool(code) == bool(service):
        raise fail("name an agreement, or a service with --service (not both)")
    if service:
        _recompute_service(service, url)
        return
    if now or as_of:
        _recompute_here(code, _instant(as_of) if as_of else None, url)
        return
    try:
        with unit_of_work(url or None) as session:
            target = agreement_import.agreement_id_of(session, actor=SYSTEM, code=code)
            job = recompute.request(session, actor=SYSTEM, agreement_id=target)
            typer.echo(
                f"queued job {job.id}; a worker runs it (slm worker, or slm serve on SQLite)"
            )
    except ServiceError as exc:
        raise fail(exc.message) from None


def _instant(text: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(parse_instant(text, None), dt.UTC)


def _recompute_here(code: str, as_of: dt.datetime | None, url: str) -> None:
    try:
        with unit_of_work(url or None) as session:
            done = measuring.recompute_now(session, actor=SYSTEM, code=code, as_of=as_of)
    except ServiceError as exc:
        raise fail(exc.message) from None
    result = done.result
    typer.echo(f"{result['measurements']} measurement(s): {result['by_status']}")
    if done.why_none:
        typer.echo(f"nothing measured: {done.why_none}")


def _recompute_service(service: str, url: str) -> None:
    try:
        with unit_of_work(url or None) as session:
            queued = recompute.request_for_service(session, actor=SYSTEM, service=service)
    except ServiceError as exc:
        raise fail(exc.message) from None
    typer.echo(f"queued {len(queued)} job(s), one per agreement covering {service}")
