"""A service report rendered: the figures model poured into the report template, in each
language asked for, with the service level manager's commentary and, when published, the
revision's number; the charts and the breaches' list are the page's
(:mod:`servicelevel.services.reporting.page`).

Split from :mod:`servicelevel.services.reporting.compute` (the figures): one figures model is
computed for a report and every language renders that one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.services.agreements import documents, printing
from servicelevel.services.catalog import templates
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.reporting import page as report_page
from servicelevel.services.reporting.compute import Model, report_model
from servicelevel.services.reporting.figures import Figures
from servicelevel.services.shared.errors import Invalid


@dataclass(frozen=True)
class Report:
    title: str
    html: str
    period: str  # the period's label
    version_number: int
    model: Figures  # the figures model (report_figures) every rendering reads

    @property
    def figures(self) -> dict[str, Any]:
        """The figures model as JSON (what a published revision keeps)."""
        return self.model.as_dict()


def compose_report(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    period: str,
    language: str = "en",
    template_id: int | None = None,
    now: dt.datetime | None = None,
    commentary: str = "",
) -> Report:
    """The service report for an agreement and period: figures and rendering, with the
    service level manager's ``commentary``."""
    [report] = compose_reports(
        session,
        actor=actor,
        agreement_id=agreement_id,
        period=period,
        languages=(language,),
        template_id=template_id,
        now=now,
        commentary=commentary,
    )
    return report


def compose_reports(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    period: str,
    languages: tuple[str, ...],
    template_id: int | None = None,
    now: dt.datetime | None = None,
    commentary: str = "",
    revision: int | None = None,
) -> list[Report]:
    """The report in each of ``languages`` from ONE evaluation and ONE figures model;
    ``revision``: the number it is published as (``None``: not published)."""
    for language in languages:
        if language not in printing.LOCALES:
            raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    moment = now or dt.datetime.now(dt.UTC)
    # a published revision keeps every breach; a live page lists the first ones
    listed = None if revision is not None else report_page.LISTED
    made = report_model(
        session, actor=actor, agreement_id=agreement_id, period=period, now=moment, listed=listed
    )
    told = Told(moment, commentary, revision)
    return [_render(session, made, language, template_id, told) for language in languages]


@dataclass(frozen=True)
class Told:
    """What the report says besides its figures: when, the manager's words, which revision."""

    moment: dt.datetime
    commentary: str
    revision: int | None


def _render(
    session: Session,
    made: Model,
    language: str,
    template_id: int | None,
    told: Told,
) -> Report:
    model = made.figures
    figs = model.as_dict(first=report_page.LISTED)  # the page lists the first breaches
    agreement, version = made.agreement, made.version
    context = documents.agreement_context(session, agreement, version, language)
    context["report"] = report_page.page_context(figs, language, told.moment)
    context["report"]["commentary"] = told.commentary.strip()
    context["report"]["revision"] = told.revision
    body = templates.body_for(session, "report", language, template_id)
    title = f"{agreement.code} · {figs['agreement']['period']}"
    content = report_page.with_charts(printing.render_markdown(body, context), figs, language)
    period = figs["agreement"]["period"]
    running = printing.report_running(agreement.code, period, told.revision, language)
    html = printing.page(content, title, language, running)
    return Report(title, html, period, version.number, model)


def render_report(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    period: str,
    language: str = "en",
    template_id: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[str, str]:
    """``(title, html)`` of the service report for an agreement and period."""
    report = compose_report(
        session,
        actor=actor,
        agreement_id=agreement_id,
        period=period,
        language=language,
        template_id=template_id,
        now=now,
    )
    return report.title, report.html
