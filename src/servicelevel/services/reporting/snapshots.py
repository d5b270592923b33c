"""Publishing service reports: a snapshot of the figures and their rendering, by revision.

Publishing computes the report as it stands and keeps it; later changes to the data (a late
ticket, a recomputation) change what a *new* report shows, never a published one. Revisions
are numbered per report (agreement × period): publishing again issues the next revision, and
each revision holds the report in all three languages, rendered from one figures model that
is kept with it (JSON numbers; revisions published before the model existed keep the text
figures they had).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import ServiceReport
from servicelevel.db.repositories.common import Page
from servicelevel.db.repositories.reporting import reports as repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.reporting import compute as service_reports
from servicelevel.services.reporting import files as report_files
from servicelevel.services.reporting import rendering as report_rendering
from servicelevel.services.reporting.figures import SCHEMA
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import text

FIELDS = ("agreement_id", "period", "language", "revision", "version_number", "note")
LANGUAGES = ("en", "zh-Hans", "zh-Hant")  # a revision holds the report in each of them


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
    """Publish the period's report as the next revision of it, in every language (one
    evaluation, one figures model, rendered three times); the one in ``language`` is
    returned."""
    require(actor, "report.publish")
    if language not in LANGUAGES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    moment = now or utcnow()  # one instant for the whole revision
    label = service_reports.period_label(
        session, actor=actor, agreement_id=agreement_id, period=period
    )
    revision = repo.last_revision(session, agreement_id, label) + 1
    reports = report_rendering.compose_reports(
        session,
        actor=actor,
        agreement_id=agreement_id,
        period=period,
        languages=LANGUAGES,
        now=now,
        commentary=note,
        revision=revision,
    )
    kept = reports[0].figures  # one model for the three languages
    made: dict[str, ServiceReport] = {
        lang: ServiceReport(
            agreement_id=agreement_id,
            period=label,
            language=lang,
            revision=revision,
            version_number=report.version_number,
            figures=kept,
            html=report.html,
            note=text(note, "note"),
            published_at=moment,
            published_by_id=actor.user_id,
        )
        for lang, report in zip(LANGUAGES, reports, strict=True)
    }
    # the language asked for last: newest first, the lists show it at the top of its revision
    session.add_all([*(r for lang, r in made.items() if lang != language), made[language]])
    session.flush()
    report_files.queue_published(session, list(made.values()))  # its PDFs, by the worker
    audit.record(
        session, actor, "publish", made[language], None, audit.snapshot(made[language], FIELDS)
    )
    return made[language]


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


@dataclass(frozen=True)
class Revision:
    """One revision of a report (agreement × period): its report id in each language."""

    period: str
    revision: int
    version_number: int
    note: str
    published_at: dt.datetime
    reports: dict[str, int]  # language → report id


def revisions(session: Session, *, actor: Actor, agreement_id: int) -> list[Revision]:
    """The published revisions of an agreement's reports, newest first (404 for an agreement
    the actor may not see: a customer's representative sees only their own)."""
    require(actor, "report.read")
    agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    found: dict[tuple[str, int], Revision] = {}
    for rid, period, revision, language, version, note, published in repo.revision_rows(
        session, agreement_id
    ):
        entry = found.setdefault(
            (period, revision), Revision(period, revision, version, note, published, {})
        )
        entry.reports[language] = rid
    return list(found.values())


def figures_model(report: ServiceReport) -> dict[str, Any]:
    """The figures model a revision kept, for its XLSX, CSV and JSON files."""
    if report.figures.get("schema") != SCHEMA:
        raise Conflict(
            "report {id} was published before reports kept their figures as numbers: "
            "its page, PDF and JSON remain, but it has no spreadsheet",
            id=report.id,
        )
    return report.figures
