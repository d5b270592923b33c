"""Service reports: an agreement's figures for a period, computed from the stored tickets and
outages with the version in force. The periods before are read in
:mod:`servicelevel.services.reporting.history`, the figures poured into the report template in
:mod:`servicelevel.services.reporting.rendering`.

The figures come from the engine (``evaluate``) and become ONE model (``report_figures``):
per target the tickets met, breached and still open, compliance against the objective and
the percentiles of working time used; per availability target the availability, downtime and
outages; the breaches (excluded ones marked, with their reason); the service credits owed.
The page, the PDF, the spreadsheet, the CSV and the JSON all render that model.

When the stored measurements speak for the agreement (no recomputation waiting), the model's
figures are counted by the database in one statement over the period's rows
(:func:`servicelevel.db.repositories.reporting.period_report.period_report`): compliance, the
time-used distribution, the breaches by priority and category, and only the breaches the page
lists (the first fifty and every excluded one) read as rows; every breach is read when a
rendering lists them all (the spreadsheet, the CSV, the JSON, a published revision). Otherwise
the tickets are evaluated again (:func:`evaluation`), so a report never misses a late event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.db.repositories.reporting import period_report
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.availability import Outages, availability
from servicelevel.engine.evaluation import AgreementResult, assemble, evaluate
from servicelevel.engine.periods import Period, PeriodError, parse_period
from servicelevel.engine.targets import TicketSet
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.for_engine import engine_agreement
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import breaches, outages, stored_measurements, stored_tickets
from servicelevel.services.reporting import trends
from servicelevel.services.reporting.breach_tables import (
    BreachTable,
    Exclusion,
    PeriodBreaches,
    counts_of,
    period_breaches,
    table_of,
)
from servicelevel.services.reporting.counted import (
    breach_columns_of,
    compliance_of,
    credits_of,
    shares_of,
)
from servicelevel.services.reporting.figures import (
    Figures,
    availability_rows_of,
    credit_figures_of,
    figures,
    head_of,
    shares_rows,
    target_row_of,
)
from servicelevel.services.reporting.history import (
    availability_history,
    availability_history_of,
    availability_trend_rows_of,
    history,
    history_of,
    satisfaction_row_of,
    trend_rows_of,
)
from servicelevel.services.requirements.whatif import LOOKBACK
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Invalid

__all__ = ["PeriodBreaches", "period_breaches"]


@dataclass(frozen=True)
class Evaluation:
    """An agreement's figures for a period, with the tickets they were computed from, the
    compliance of the periods before (stored measurements; this period's from ``result``) and
    the customer's satisfaction answers of the period."""

    agreement: Agreement
    version: AgreementVersion
    result: AgreementResult
    tickets: TicketSet
    history: list[trends.TargetTrend]
    satisfaction: surveys.Summary
    uptime: list[trends.AvailabilityTrend]
    exclusions: dict[tuple[str, str], Exclusion]

    @cached_property
    def breaches(self) -> PeriodBreaches:
        """The period's breaches, found once per evaluation (the list, the total and the
        counts by priority and category all read them)."""
        return period_breaches(self.result)


def evaluation(
    session: Session, *, actor: Actor, agreement_id: int, period: str, now: dt.datetime
) -> Evaluation:
    """The agreement's figures for ``period`` as of ``now``, under the version in force at the
    start of the period (else the current one); excluded breaches count as met. Every
    measurement of the period is read (or every ticket evaluated again): the engine's own
    figures, which :func:`report_model` counts in the database instead."""
    agreement, version, chosen = _chosen(session, actor, agreement_id, period)
    return _evaluated(session, agreement, version, chosen, now)


def _chosen(
    session: Session, actor: Actor, agreement_id: int, period: str
) -> tuple[Agreement, AgreementVersion, Period]:
    """The agreement, the version in force at the start of the period (else the current one)
    and the period."""
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    version = agreements.current(agreement)
    chosen = _period(period, version)
    start = dt.datetime.fromtimestamp(chosen.start, dt.UTC)
    return agreement, agreements.version_at(agreement, start) or version, chosen


def _evaluated(
    session: Session,
    agreement: Agreement,
    version: AgreementVersion,
    chosen: Period,
    now: dt.datetime,
) -> Evaluation:
    engine = engine_agreement(session, agreement, version)
    outages = _outages(session, engine, chosen)
    excluded = breaches.excluded_numbers(session, agreement.id)
    moment = int(now.timestamp())
    if stored_measurements.usable(session, agreement.id):
        stored = stored_measurements.read(session, agreement.id, engine, chosen, moment)
        tickets = stored.tickets
        ids = np.asarray(tickets.ids)
        result = assemble(engine, ids, chosen, moment, stored.measured, outages, excluded)
    else:
        tickets = _tickets(session, agreement, engine, chosen)
        result = evaluate(engine, tickets, chosen, moment, outages, excluded=excluded)
    answers = surveys.between(session, agreement.counterparty_id, chosen.first, chosen.end_date)
    summary = surveys.summarise(answers, chosen.label)
    uptime = availability_history(session, engine, result)
    notes = exclusion_notes(session, agreement.id, chosen, excluded, ZoneInfo(engine.timezone))
    past = history(session, agreement, result)
    return Evaluation(agreement, version, result, tickets, past, summary, uptime, notes)


@dataclass(frozen=True)
class Model:
    """The figures model of a report with the agreement and the version it is of."""

    agreement: Agreement
    version: AgreementVersion
    figures: Figures


def report_model(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    period: str,
    now: dt.datetime,
    listed: int | None = None,
) -> Model:
    """The report's figures model as of ``now``: counted by the database when the stored
    measurements speak for the agreement, with only the first ``listed`` breaches and every
    excluded one read as rows (all of them when ``None``; the rest are read if a rendering
    asks for every breach); else from the tickets evaluated again."""
    agreement, version, chosen = _chosen(session, actor, agreement_id, period)
    if not stored_measurements.usable(session, agreement.id):
        found = _evaluated(session, agreement, version, chosen, now)
        return Model(agreement, version, figures_of(found))
    made = _counted(session, agreement, version, chosen, now, listed)
    made.agreement["code"] = agreement.code
    made.agreement["version_number"] = version.number
    return Model(agreement, version, made)


def _counted(
    session: Session,
    agreement: Agreement,
    version: AgreementVersion,
    chosen: Period,
    now: dt.datetime,
    listed: int | None,
) -> Figures:
    """The figures model from the stored measurements, counted in one statement."""
    engine = engine_agreement(session, agreement, version)
    zone = ZoneInfo(engine.timezone)
    ids, numbers = breaches.excluded_tickets(session, agreement.id)
    start = dt.datetime.fromtimestamp(chosen.start, dt.UTC)
    end = dt.datetime.fromtimestamp(chosen.end, dt.UTC)
    order = sorted(t.id for t in engine.targets)  # ties between breaches: by target id

    def counted(first: int | None) -> period_report.PeriodReport:
        return period_report.period_report(
            session, agreement.id, start, end, now=now, excluded=ids, targets=order, listed=first
        )

    found = counted(listed)
    moment = int(now.timestamp())
    complied = [(t, compliance_of(t, found.figures.get(t.id))) for t in engine.targets]
    avail = {
        a.id: availability(
            outages.outage_spans(session, a.service, chosen),
            engine.calendars[a.calendar],
            chosen.start,
            chosen.end,
            a.objective,
            as_of=moment,
        )
        for a in engine.availability
    }
    names = {t.id: t.name for t in engine.targets}
    notes = exclusion_notes(session, agreement.id, chosen, numbers, zone)

    def table(rows: list[period_report.BreachRow]) -> BreachTable:
        return table_of(breach_columns_of(rows), names, notes, zone)

    by: dict[str, Counter[str]] = {"priority": Counter(), "category": Counter()}
    for g in found.groups:
        by["priority"][g.priority] += g.counted
        by["category"][g.category] += g.counted
    excluded = sum(g.excluded for g in found.groups)
    past = history_of(session, agreement, chosen, complied)
    answers = surveys.between(session, agreement.counterparty_id, chosen.first, chosen.end_date)
    satisfaction = surveys.summarise(answers, chosen.label)
    uptime = availability_history_of(session, engine, chosen, moment, avail)
    return Figures(
        agreement=head_of(engine, chosen, moment, found.tickets),
        targets=[target_row_of(t, c) for t, c in complied],
        availability=availability_rows_of(avail),
        credits=credit_figures_of(engine, credits_of(engine, complied, avail, chosen)),
        breach_table=table(found.breaches),
        distribution=[
            row
            for t in engine.targets
            for row in shares_rows(t.id, shares_of(found.figures.get(t.id)))
        ],
        trend=trend_rows_of(past),
        satisfaction=satisfaction_row_of(satisfaction),
        availability_trend=availability_trend_rows_of(uptime),
        breach_counts=counts_of(by["priority"], by["category"], excluded),
        listed=listed,
        every_breach=None if listed is None else lambda: table(counted(None).breaches),
    )


def _period(text: str, version: AgreementVersion) -> Period:
    try:
        return parse_period(text, version.timezone)  # the zone the engine's agreement has
    except PeriodError:
        raise Invalid("cannot read period {text}", "period", text=text) from None


def period_label(session: Session, *, actor: Actor, agreement_id: int, period: str) -> str:
    """The label of the period a report of the agreement would cover (2026-03, 2026-Q1…)."""
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    return _period(period, agreements.current(agreement)).label


def exclusion_notes(
    session: Session,
    agreement_id: int,
    period: Period,
    excluded: dict[str, set[str]],
    zone: ZoneInfo,
) -> dict[tuple[str, str], Exclusion]:
    """Every breach the engine counts as met by decision (``excluded``: per target, ticket
    numbers) with the reason and the day of the decision, where recorded."""
    start = dt.datetime.fromtimestamp(period.start, dt.UTC) - LOOKBACK
    end = dt.datetime.fromtimestamp(period.end, dt.UTC)
    recorded = {
        (e["target"], e["ticket"]): Exclusion(
            e["reason"] or "",
            None if e["decided_at"] is None else e["decided_at"].astimezone(zone).isoformat(),
        )
        for e in breaches.exclusions_between(session, agreement_id, start, end)
    }
    return {
        (target, number): recorded.get((target, number), Exclusion(""))
        for target, numbers in excluded.items()
        for number in numbers
    }


def trend_rows(found: Evaluation) -> list[dict[str, Any]]:
    """The history as rows (target, period, met, breached, within %) for every rendering."""
    return trend_rows_of(found.history)


def availability_trend_rows(found: Evaluation) -> list[dict[str, Any]]:
    """Availability (percent; ``None`` outside the term or not begun) per target and period."""
    return availability_trend_rows_of(found.uptime)


def satisfaction_row(found: Evaluation) -> dict[str, Any]:
    return satisfaction_row_of(found.satisfaction)


def figures_of(found: Evaluation) -> Figures:
    """The one figures model of an evaluation (every rendering reads it)."""
    made = figures(
        found.result,
        found.tickets,
        trend=trend_rows(found),
        satisfaction=satisfaction_row(found),
        availability_trend=availability_trend_rows(found),
        exclusions=found.exclusions,
    )
    made.agreement["code"] = found.agreement.code
    made.agreement["version_number"] = found.version.number
    return made


def report_figures(
    session: Session, *, actor: Actor, agreement_id: int, period: str, now: dt.datetime
) -> Figures:
    """The live report's figures as of ``now`` (the JSON of the API, the XLSX and the CSV)."""
    return report_model(
        session, actor=actor, agreement_id=agreement_id, period=period, now=now
    ).figures


def _tickets(
    session: Session, agreement: Agreement, engine: EngineAgreement, period: Period
) -> TicketSet:
    start = dt.datetime.fromtimestamp(period.start, dt.UTC) - LOOKBACK
    end = dt.datetime.fromtimestamp(period.end, dt.UTC)
    customer = agreement.counterparty_id if agreement.kind == "SLA" else None
    wanted = stored_tickets.wanted([engine])  # attributes its targets select on, holders
    return stored_tickets.load(
        session, list(engine.services), customer, start, end, **wanted
    ).ticket_set()


def _outages(session: Session, engine: EngineAgreement, period: Period) -> dict[str, Outages]:
    return {
        a.service: outages.outage_spans(session, a.service, period) for a in engine.availability
    }
