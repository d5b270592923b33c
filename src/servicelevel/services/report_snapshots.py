"""Publishing service reports: a snapshot of the figures and their rendering, by revision.

Publishing computes the report as it stands and keeps it; later changes to the data (a late
ticket, a recomputation) change what a *new* report shows, never a published one. Publishing
the same agreement, period and language again issues the next revision.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import ServiceReport
from servicelevel.db.repositories import reporting as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services import agreements, audit, service_reports
from servicelevel.services.errors import NotFound
from servicelevel.services.permissions import Actor, require
from servicelevel.services.validation import text

FIELDS = ("agreement_id", "period", "language", "revision", "version_number", "note")


def publish(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    period: str,
    language: str = "en",
    note: str = "",
    now: dt.datetime | None = None,
) -> ServiceReport:
    require(actor, "report.publish")
    report = service_reports.compose_report(
        session,
        actor=actor,
        agreement_id=agreement_id,
        period=period,
        language=language,
        now=now,
        commentary=note,
    )
    revision = repo.last_revision(session, agreement_id, report.period, language) + 1
    made = ServiceReport(
        agreement_id=agreement_id,
        period=report.period,
        language=language,
        revision=revision,
        version_number=report.version_number,
        figures=report.figures,
        html=report.html,
        note=text(note, "note"),
        published_at=now or utcnow(),
        published_by_id=actor.user_id,
    )
    session.add(made)
    audit.record(session, actor, "publish", made, None, audit.snapshot(made, FIELDS))
    return made


def get_report(session: Session, *, actor: Actor, report_id: int) -> ServiceReport:
    require(actor, "report.read")
    found = repo.report_by_id(session, report_id)
    if found is None:
        raise NotFound("no report {id}", id=report_id)
    try:
        agreements.get_agreement(session, actor=actor, agreement_id=found.agreement_id)
    except NotFound:
        raise NotFound("no report {id}", id=report_id) from None
    return found


def list_reports(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[ServiceReport]:
    require(actor, "report.read")
    only = actor.parties if actor.scoped else None
    return repo.list_reports(
        session, agreement_id=agreement_id, only_parties=only, offset=offset, limit=limit
    )
