"""Service reports: an agreement's figures for a period, computed from the stored tickets and
outages with the version in force, and poured into the report template.

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
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.db.repositories.reporting import compliance_figures, period_report
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.availability import Availability, Outages, availability
from servicelevel.engine.clocks import NONE
from servicelevel.engine.compliance import Compliance
from servicelevel.engine.credits import Credits, compute_credits
from servicelevel.engine.evaluation import AgreementResult, assemble, evaluate
from servicelevel.engine.periods import Period, PeriodError, parse_period
from servicelevel.engine.targets import Target, TicketSet
from servicelevel.services.agreements import documents, printing
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.for_engine import engine_agreement
from servicelevel.services.catalog import templates
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import breaches, outages, stored_measurements, stored_tickets
from servicelevel.services.reporting import page as report_page
from servicelevel.services.reporting import trends
from servicelevel.services.reporting.figures import (
    BreachColumns,
    BreachTable,
    Exclusion,
    Figures,
    PeriodBreaches,
    availability_rows_of,
    counts_of,
    credit_figures_of,
    figures,
    head_of,
    period_breaches,
    shares_rows,
    table_of,
    target_row_of,
)
from servicelevel.services.requirements.whatif import LOOKBACK
from servicelevel.services.satisfaction import surveys
from servicelevel.services.shared.errors import Invalid

__all__ = ["PeriodBreaches", "period_breaches"]

TREND_PERIODS = 12  # the period reported on and the 11 before it


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
    complied = [(t, _compliance(t, found.figures.get(t.id))) for t in engine.targets]
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
        return table_of(_columns(rows), names, notes, zone)

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
        credits=credit_figures_of(engine, _credits(engine, complied, avail, chosen)),
        breach_table=table(found.breaches),
        distribution=[
            row
            for t in engine.targets
            for row in shares_rows(t.id, _shares(found.figures.get(t.id)))
        ],
        trend=_trend_rows(past),
        satisfaction=_satisfaction_row(satisfaction),
        availability_trend=_availability_trend_rows(uptime),
        breach_counts=counts_of(by["priority"], by["category"], excluded),
        listed=listed,
        every_breach=None if listed is None else lambda: table(counted(None).breaches),
    )


def _compliance(target: Target, f: compliance_figures.TargetFigures | None) -> Compliance:
    """The engine's :class:`Compliance` from the counted figures (as
    :func:`servicelevel.engine.compliance.compliance` words them)."""
    counts = f.counts if f is not None else {}
    met, breached = counts.get("met", 0), counts.get("breached", 0)
    within = met / (met + breached) if met + breached else None
    objective = target.objective
    return Compliance(
        met=met,
        breached=breached,
        open=counts.get("running", 0) + counts.get("paused", 0),
        cancelled=counts.get("cancelled", 0),
        pending=counts.get("pending", 0),
        within=within,
        objective=objective,
        objective_met=None if within is None or objective is None else within >= objective,
        percentiles=dict(f.percentiles) if f is not None else {},
        mean_used=f.mean_used if f is not None else None,
        excluded=f.excluded if f is not None else 0,
    )


def _shares(f: compliance_figures.TargetFigures | None) -> tuple[int, ...]:
    return f.shares if f is not None else (0,) * compliance_figures.SHARES


def _credits(
    engine: EngineAgreement,
    complied: list[tuple[Target, Compliance]],
    avail: dict[str, Availability],
    period: Period,
) -> Credits | None:
    """The credits owed, as :func:`servicelevel.engine.evaluation.assemble` reckons them."""
    if not engine.credits:
        return None
    metrics: dict[str, float | None] = {t.id: c.within for t, c in complied}
    metrics.update({k: v.availability for k, v in avail.items()})
    counted = {t.id: c.breached for t, c in complied}
    fee = 0.0
    if engine.fee is not None:
        fee = engine.fee.amount * period.months / engine.fee.months
    return compute_credits(engine.credits, metrics, counted, fee, engine.credit_cap)


def _columns(rows: list[period_report.BreachRow]) -> BreachColumns:
    def ints(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=np.int64).reshape(-1)

    return BreachColumns(
        target=[b.target for b in rows],
        ticket=[b.number for b in rows],
        priority=[b.priority for b in rows],
        category=[b.category for b in rows],
        at=ints([b.at for b in rows]),
        stopped=ints([NONE if b.stopped_at is None else b.stopped_at for b in rows]),
        used=ints([b.used for b in rows]),
        budget=ints([b.budget for b in rows]),
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


def availability_history(
    session: Session, engine: EngineAgreement, result: AgreementResult
) -> list[trends.AvailabilityTrend]:
    """Each availability target over the last :data:`TREND_PERIODS` periods (recorded outages
    within the target's calendar; the last period is the report's own figure)."""
    return availability_history_of(session, engine, result.period, result.now, result.availability)


def availability_history_of(
    session: Session,
    engine: EngineAgreement,
    period: Period,
    now: int,
    figures: Mapping[str, Availability],
) -> list[trends.AvailabilityTrend]:
    periods = period.trailing(TREND_PERIODS)[:-1]
    out = []
    for a in engine.availability:
        values = [
            availability(
                outages.outage_spans(session, a.service, p),
                engine.calendars[a.calendar],
                p.start,
                p.end,
                a.objective,
                as_of=now,
            ).availability
            if p.start < now and in_term(engine, p)
            else None
            for p in periods
        ]
        values.append(figures[a.id].availability)
        labels = [p.label for p in periods] + [period.label]
        out.append(trends.AvailabilityTrend(a.id, a.objective, labels, values))
    return out


def in_term(engine: EngineAgreement, period: Period) -> bool:
    """Whether any day of ``period`` lies within the agreement's term (a month before it
    starts has no availability to report, as it has no compliance)."""
    if engine.start is not None and period.end_date <= engine.start:
        return False
    return engine.end is None or period.first <= engine.end


def history(
    session: Session, agreement: Agreement, result: AgreementResult
) -> list[trends.TargetTrend]:
    """Each ticket target's compliance over :data:`TREND_PERIODS` periods of the report's kind:
    the earlier ones from the stored measurements, the last one the report's own figures, so
    the trend ends on the number the report shows."""
    complied = [(r.target, r.compliance) for r in result.targets]
    return history_of(session, agreement, result.period, complied)


def history_of(
    session: Session,
    agreement: Agreement,
    period: Period,
    complied: list[tuple[Target, Compliance]],
) -> list[trends.TargetTrend]:
    periods = period.trailing(TREND_PERIODS)[:-1]
    stored = {t.target: t for t in trends.by_target(session, agreement, periods)}
    out = []
    for target, c in complied:
        before = stored.get(target.id)
        months = before.months if before else [trends.PeriodFigure(p.label, 0, 0) for p in periods]
        now = trends.PeriodFigure(period.label, c.met, c.breached)
        out.append(trends.TargetTrend(target.id, target.name, target.objective, [*months, now]))
    return out


def trend_rows(found: Evaluation) -> list[dict[str, Any]]:
    """The history as rows (target, period, met, breached, within %) for every rendering."""
    return _trend_rows(found.history)


def _trend_rows(history: list[trends.TargetTrend]) -> list[dict[str, Any]]:
    return [
        {
            "target": t.target,
            "period": m.period,
            "met": m.met,
            "breached": m.breached,
            "within_pct": None if m.within is None else m.within * 100,
        }
        for t in history
        for m in t.months
    ]


def availability_trend_rows(found: Evaluation) -> list[dict[str, Any]]:
    """Availability (percent; ``None`` outside the term or not begun) per target and period."""
    return _availability_trend_rows(found.uptime)


def _availability_trend_rows(uptime: list[trends.AvailabilityTrend]) -> list[dict[str, Any]]:
    return [
        {
            "target": u.target,
            "period": period,
            "availability_pct": None if value is None else value * 100,
            "objective_pct": None if u.objective is None else u.objective * 100,
        }
        for u in uptime
        for period, value in zip(u.periods, u.values, strict=True)
    ]


def satisfaction_row(found: Evaluation) -> dict[str, Any]:
    return _satisfaction_row(found.satisfaction)


def _satisfaction_row(s: surveys.Summary) -> dict[str, Any]:
    mean = None if s.mean is None else s.mean * 100
    return {"period": s.period, "answers": s.count, "mean_pct": mean, "low": s.low}


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
