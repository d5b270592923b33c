"""``slm worker`` and ``slm recompute``: background work from the command line."""

from __future__ import annotations

import typer
from sqlalchemy.orm import Session

from servicelevel.cli.errors import fail, reports_errors
from servicelevel.db.session import make_engine, session_factory
from servicelevel.jobs import worker
from servicelevel.services import agreement_import, recompute
from servicelevel.services.errors import ServiceError
from servicelevel.services.permissions import SYSTEM
from servicelevel.services.uow import unit_of_work
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
    url: str = URL,
) -> None:
    """Recompute an agreement's measurements, or those of every agreement covering a service
    (queued for a worker, or --now for one agreement)."""
    if bool(code) == bool(service):
        raise fail("name an agreement, or a service with --service (not both)")
    if service:
        _recompute_service(service, url)
        return
    try:
        with unit_of_work(url or None) as session:
            target = agreement_import.agreement_id_of(session, actor=SYSTEM, code=code)
            if now:
                result = recompute.recompute(session, agreement_id=target)
                typer.echo(f"{result['measurements']} measurement(s): {result['by_status']}")
            else:
                job = recompute.request(session, actor=SYSTEM, agreement_id=target)
                typer.echo(
                    f"queued job {job.id}; a worker runs it (slm worker, or slm serve on SQLite)"
                )
    except ServiceError as exc:
        raise fail(exc.message) from None


def _recompute_service(service: str, url: str) -> None:
    try:
        with unit_of_work(url or None) as session:
            queued = recompute.request_for_service(session, actor=SYSTEM, service=service)
    except ServiceError as exc:
        raise fail(exc.message) from None
    typer.echo(f"queued {len(queued)} job(s), one per agreement covering {service}")
