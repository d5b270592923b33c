"""Service reports (first cut, SLM4): an agreement's figures for a period, computed from the
stored tickets and outages with the version in force, and poured into the report template.

The figures come from the engine (``evaluate``): per target the tickets met, breached and still
open, compliance against the objective and the 90th percentile of working time used; per
availability target the availability, downtime and outages; the service credits owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.definitions.agreements import agreement_from_document
from servicelevel.definitions.source import DefinitionError, Located
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.availability import Outages
from servicelevel.engine.evaluation import AgreementResult, evaluate
from servicelevel.engine.periods import Period, PeriodError, parse_period
from servicelevel.engine.targets import TicketSet
from servicelevel.services import (
    agreements,
    breaches,
    documents,
    outages,
    stored_tickets,
    templates,
)
from servicelevel.services.errors import Invalid
from servicelevel.services.permissions import Actor
from servicelevel.services.whatif import LOOKBACK

PCT = "#,##0.##%"


@dataclass(frozen=True)
class Evaluation:
    """An agreement's figures for a period, with the tickets they were computed from."""

    agreement: Agreement
    version: AgreementVersion
    result: AgreementResult
    tickets: TicketSet


def evaluation(
    session: Session, *, actor: Actor, agreement_id: int, period: str, now: dt.datetime
) -> Evaluation:
    """The agreement's figures for ``period`` as of ``now``, under the version in force at the
    start of the period (else the current one); excluded breaches count as met."""
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    version = agreements.current(agreement)
    try:
        chosen = parse_period(period, version.timezone)  # the zone the engine's agreement has
    except PeriodError:
        raise Invalid("cannot read period {text}", "period", text=period) from None
    start = dt.datetime.fromtimestamp(chosen.start, dt.UTC)
    version = agreements.version_at(agreement, start) or version
    engine = engine_agreement(session, agreement, version)
    tickets = _tickets(session, agreement, engine, chosen)
    outages = _outages(session, engine, chosen)
    excluded = breaches.excluded_numbers(session, agreement.id)
    result = evaluate(engine, tickets, chosen, int(now.timestamp()), outages, excluded=excluded)
    return Evaluation(agreement, version, result, tickets)


def evaluate_agreement(
    session: Session, *, actor: Actor, agreement_id: int, period: str, now: dt.datetime
) -> tuple[Agreement, AgreementVersion, AgreementResult]:
    """:func:`evaluation` without the tickets."""
    found = evaluation(session, actor=actor, agreement_id=agreement_id, period=period, now=now)
    return found.agreement, found.version, found.result


def engine_agreement(
    session: Session, agreement: Agreement, version: AgreementVersion
) -> EngineAgreement:
    """The version as the engine's agreement, its calendars the stored definitions."""
    document = agreements.document_for(session, agreement, version)
    inline: dict[str, Any] = {}
    for c in version.calendars:
        record = calendar_repo.calendar_by_id(session, c.calendar_id) if c.calendar_id else None
        inline[c.key] = record.definition if record is not None else "24x7"
    document["calendars"] = inline
    try:
        return agreement_from_document(Located(document, {}, agreement.code), Path("."))
    except DefinitionError as exc:
        raise Invalid(
            "agreement {code} cannot be evaluated: {reason}",
            code=agreement.code,
            reason=exc.message,
        ) from None


def _tickets(
    session: Session, agreement: Agreement, engine: EngineAgreement, period: Period
) -> TicketSet:
    start = dt.datetime.fromtimestamp(period.start, dt.UTC) - LOOKBACK
    end = dt.datetime.fromtimestamp(period.end, dt.UTC)
    customer = agreement.counterparty_id if agreement.kind == "SLA" else None
    return stored_tickets.load(session, list(engine.services), customer, start, end).ticket_set()


def _outages(session: Session, engine: EngineAgreement, period: Period) -> dict[str, Outages]:
    return {
        a.service: outages.outage_spans(session, a.service, period) for a in engine.availability
    }


@dataclass(frozen=True)
class Report:
    title: str
    html: str
    period: str  # the period's label
    version_number: int
    figures: dict[str, Any]  # the report's placeholders, as shown


def compose_report(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    period: str,
    language: str = "en",
    template_id: int | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The service report for an agreement and period: figures and rendering."""
    if language not in documents.LOCALES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    moment = now or dt.datetime.now(dt.UTC)
    agreement, version, result = evaluate_agreement(
        session, actor=actor, agreement_id=agreement_id, period=period, now=moment
    )
    context = documents.agreement_context(session, agreement, version, language)
    context["report"] = report_context(result, language, moment)
    context["report"]["exclusions"] = _exclusions(session, agreement.id, result, language)
    body = templates.body_for(session, "report", language, template_id)
    title = f"{agreement.code} · {result.period.label}"
    html = documents.page(documents.render_markdown(body, context), title, language)
    return Report(title, html, result.period.label, version.number, context["report"])


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


def _exclusions(
    session: Session, agreement_id: int, result: AgreementResult, language: str
) -> list[dict[str, str]]:
    """The period's excluded breaches as text: target, ticket, when, why, decided when."""
    start = dt.datetime.fromtimestamp(result.period.start, dt.UTC)
    end = dt.datetime.fromtimestamp(result.period.end, dt.UTC)
    locale = documents.LOCALES[language]

    def day(value: dt.datetime | None) -> str:
        return "—" if value is None else format_date(value, "medium", locale=locale)

    return [
        {
            "target": e["target"],
            "ticket": e["ticket"],
            "breached_at": day(e["breached_at"]),
            "reason": e["reason"],
            "decided_at": day(e["decided_at"]),
        }
        for e in breaches.exclusions_between(session, agreement_id, start, end)
    ]


def report_context(result: AgreementResult, language: str, now: dt.datetime) -> dict[str, Any]:
    """The figures as text for a report template (see docs/templates.md)."""
    locale = documents.LOCALES[language]

    def pct(value: float | None) -> str:
        return "—" if value is None else format_percent(value, PCT, locale=locale)

    targets = []
    for r in result.targets:
        c = r.compliance
        p90 = c.percentiles.get(90.0)
        targets.append(
            {
                "id": r.target.id,
                "name": r.target.name,
                "objective": pct(c.objective),
                "achieved": pct(c.within),
                "met": c.met,
                "breached": c.breached,
                "open": c.open,
                "excluded": c.excluded,
                "outcome": {True: "✔", False: "✘", None: "—"}[c.objective_met],
                "p90_hours": "—"
                if p90 is None
                else format_decimal(round(p90 / 3600, 1), locale=locale),
            }
        )
    availability = [
        {
            "id": key,
            "achieved": pct(a.availability),
            "objective": pct(a.objective),
            "downtime_minutes": format_decimal(round(a.downtime / 60), locale=locale),
            "outages": a.outages,
            "outcome": {True: "✔", False: "✘", None: "—"}[a.objective_met],
        }
        for key, a in result.availability.items()
    ]
    credits = result.credits
    return {
        "period": result.period.label,
        "from": result.period.first.isoformat(),
        "to": (result.period.end_date - dt.timedelta(days=1)).isoformat(),
        "targets": targets,
        "availability": availability,
        "credits_total": format_decimal(credits.total, locale=locale) if credits else "0",
        "credits": [
            {
                "clause": line.clause,
                "amount": format_decimal(line.amount, locale=locale),
                "reason": line.reason,
            }
            for line in (credits.lines if credits else ())
        ],
        "generated_at": now.strftime("%Y-%m-%d %H:%M UTC"),
    }
