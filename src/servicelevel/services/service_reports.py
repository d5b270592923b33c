"""Service reports (first cut, SLM4): an agreement's figures for a period, computed from the
stored tickets and outages with the version in force, and poured into the report template.

The figures come from the engine (``evaluate``): per target the tickets met, breached and still
open, compliance against the objective and the 90th percentile of working time used; per
availability target the availability, downtime and outages; the service credits owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.definitions.agreements import agreement_from_document
from servicelevel.definitions.source import DefinitionError, Located
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.availability import Outages, availability
from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import Status
from servicelevel.engine.compliance import SHARE_LABELS, budget_shares
from servicelevel.engine.durations import format_seconds
from servicelevel.engine.evaluation import AgreementResult, assemble, evaluate
from servicelevel.engine.periods import Period, PeriodError, parse_period
from servicelevel.engine.targets import TicketSet
from servicelevel.i18n import translator
from servicelevel.services import (
    agreements,
    breaches,
    charts,
    documents,
    outages,
    stored_measurements,
    stored_tickets,
    surveys,
    templates,
    trends,
)
from servicelevel.services.errors import Invalid
from servicelevel.services.permissions import Actor
from servicelevel.services.whatif import LOOKBACK

PCT = "#,##0.##%"


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

    @cached_property
    def breaches(self) -> PeriodBreaches:
        """The period's breaches, found once per evaluation (the list, the total and the
        counts by priority and category all read them)."""
        return period_breaches(self.result)


@dataclass(frozen=True)
class PeriodBreaches:
    """The period's breaches of every ticket target, earliest first (ties: by target id, then
    in the order of the target's measurements), as parallel arrays: when, which target (its
    position in ``result.targets``), which measurement of it, which ticket of the report."""

    at: I64
    target: I64
    row: I64
    ticket: I64

    def __len__(self) -> int:
        return int(self.at.size)


def period_breaches(result: AgreementResult) -> PeriodBreaches:
    """One vectorised pass over the targets' measurements (a hundred thousand tickets: a few
    milliseconds, where a Python tuple per breach, sorted, took a second)."""
    parts: list[tuple[I64, I64, I64, I64]] = []
    rank = {t: i for i, t in enumerate(sorted(r.target.id for r in result.targets))}
    for position, r in enumerate(result.targets):
        m = r.measurements
        rows = np.flatnonzero(r.in_period & (m.status == Status.BREACHED)).astype(np.int64)
        same = np.full(rows.size, position, dtype=np.int64)
        parts.append((m.breached_at[rows].astype(np.int64), same, rows, r.tickets[rows]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return PeriodBreaches(empty, empty, empty, empty)
    at, target, row, ticket = (np.concatenate([p[i] for p in parts]) for i in range(4))
    ranks = np.array([rank[r.target.id] for r in result.targets], dtype=np.int64)[target]
    order = np.argsort(ranks, kind="stable")
    order = order[np.argsort(at[order], kind="stable")]
    return PeriodBreaches(at[order], target[order], row[order], ticket[order].astype(np.int64))


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
    return Evaluation(
        agreement, version, result, tickets, history(session, agreement, result), summary, uptime
    )


def availability_history(
    session: Session, engine: EngineAgreement, result: AgreementResult
) -> list[trends.AvailabilityTrend]:
    """Each availability target over the last :data:`TREND_PERIODS` periods (recorded outages
    within the target's calendar; the last period is the report's own figure)."""
    periods = result.period.trailing(TREND_PERIODS)[:-1]
    out = []
    for a in engine.availability:
        values = [
            availability(
                outages.outage_spans(session, a.service, p),
                engine.calendars[a.calendar],
                p.start,
                p.end,
                a.objective,
                as_of=result.now,
            ).availability
            if p.start < result.now
            else None
            for p in periods
        ]
        values.append(result.availability[a.id].availability)
        labels = [p.label for p in periods] + [result.period.label]
        out.append(trends.AvailabilityTrend(a.id, a.objective, labels, values))
    return out


def history(
    session: Session, agreement: Agreement, result: AgreementResult
) -> list[trends.TargetTrend]:
    """Each ticket target's compliance over :data:`TREND_PERIODS` periods of the report's kind:
    the earlier ones from the stored measurements, the last one the report's own figures, so
    the trend ends on the number the report shows."""
    periods = result.period.trailing(TREND_PERIODS)[:-1]
    stored = {t.target: t for t in trends.by_target(session, agreement, periods)}
    out = []
    for r in result.targets:
        c = r.compliance
        before = stored.get(r.target.id)
        months = before.months if before else [trends.PeriodFigure(p.label, 0, 0) for p in periods]
        now = trends.PeriodFigure(result.period.label, c.met, c.breached)
        out.append(
            trends.TargetTrend(r.target.id, r.target.name, r.target.objective, [*months, now])
        )
    return out


def trend_rows(found: Evaluation) -> list[dict[str, Any]]:
    """The history as rows (target, period, met, breached, within %) for every rendering."""
    return [
        {
            "target": t.target,
            "period": m.period,
            "met": m.met,
            "breached": m.breached,
            "within_pct": None if m.within is None else round(m.within * 100, 4),
        }
        for t in found.history
        for m in t.months
    ]


def satisfaction_row(found: Evaluation) -> dict[str, Any]:
    s = found.satisfaction
    mean = None if s.mean is None else round(s.mean * 100, 4)
    return {"period": s.period, "answers": s.count, "mean_pct": mean, "low": s.low}


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
    commentary: str = "",
) -> Report:
    """The service report for an agreement and period: figures and rendering, with the
    service level manager's ``commentary``."""
    if language not in documents.LOCALES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    moment = now or dt.datetime.now(dt.UTC)
    found = evaluation(session, actor=actor, agreement_id=agreement_id, period=period, now=moment)
    agreement, version, result = found.agreement, found.version, found.result
    context = documents.agreement_context(session, agreement, version, language)
    context["report"] = report_context(result, language, moment)
    context["report"]["exclusions"] = _exclusions(session, agreement.id, result, language)
    context["report"].update(looking_back(found, language))
    context["report"]["commentary"] = commentary.strip()
    body = templates.body_for(session, "report", language, template_id)
    title = f"{agreement.code} · {result.period.label}"
    content = with_charts(documents.render_markdown(body, context), found, language)
    html = documents.page(content, title, language)
    return Report(title, html, result.period.label, version.number, context["report"])


CHARTS = ("compliance", "breaches", "resolution", "availability")
LISTED = 50  # breaches listed in the report by name (the spreadsheet has them all)


def looking_back(found: Evaluation, language: str) -> dict[str, Any]:
    """The trend, breach distribution, time-to-resolve distribution and satisfaction as text
    for the report template; ``charts`` holds markers that :func:`with_charts` draws."""
    locale = documents.LOCALES[language]

    def pct(value: float | None) -> str:
        return "—" if value is None else format_percent(value, PCT, locale=locale)

    s = found.satisfaction
    return {
        "trend": {
            "periods": [m.period for m in found.history[0].months] if found.history else [],
            "targets": [
                {"id": t.target, "name": t.name, "values": [pct(m.within) for m in t.months]}
                for t in found.history
            ],
        },
        "breaches_by_priority": [
            {"priority": p or "—", "count": n} for p, n in breaches_by(found, "priority")
        ],
        "breaches_by_category": [
            {"category": c or "—", "count": n} for c, n in breaches_by(found, "category")
        ],
        "breaches": breach_list(found, language),
        "breaches_total": len(found.breaches),
        "availability_trend": [
            {"id": u.target, "values": [pct(v) for v in u.values]} for u in found.uptime
        ],
        "distribution_labels": list(SHARE_LABELS),
        "distribution": [
            {
                "id": r.target.id,
                "name": r.target.name,
                "counts": budget_shares(r.measurements, r.in_period),
            }
            for r in found.result.targets
        ],
        "satisfaction": {"answers": s.count, "mean": pct(s.mean), "low": s.low},
        "charts": {name: f"[[chart:{name}]]" for name in CHARTS},
    }


def breach_list(found: Evaluation, language: str) -> list[dict[str, str]]:
    """The first :data:`LISTED` breaches of the period, earliest first: target, ticket,
    priority, when (in the agreement's zone) and by how much the agreed time was overrun."""
    locale = documents.LOCALES[language]
    zone = found.result.agreement.timezone
    priority = found.tickets.attributes.get("priority")
    b = found.breaches
    rows = []
    for at, position, k, ticket in zip(
        b.at[:LISTED].tolist(),
        b.target[:LISTED].tolist(),
        b.row[:LISTED].tolist(),
        b.ticket[:LISTED].tolist(),
        strict=True,
    ):
        r = found.result.targets[position]
        when = dt.datetime.fromtimestamp(at, dt.UTC)
        over = max(0, int(r.measurements.used[k] - r.measurements.budget[k]))
        rows.append(
            {
                "target": r.target.name or r.target.id,
                "ticket": str(found.tickets.ids[ticket]),
                "priority": "" if priority is None else priority.label(ticket),
                "breached_at": format_datetime(when, "short", tzinfo=ZoneInfo(zone), locale=locale),
                "over": format_seconds(over),
            }
        )
    return rows


def breaches_by(found: Evaluation, attribute: str) -> list[tuple[str, int]]:
    """Breaches of the period counted by a ticket attribute (priority, category), most first
    (ties by label): the attribute's codes of the breached tickets, counted at once."""
    column = found.tickets.attributes.get(attribute)
    b = found.breaches
    if column is None:
        return [("", len(b))] if len(b) else []
    codes = column.codes[b.ticket].astype(np.int64) + 1  # 0: not given
    counts = np.bincount(codes, minlength=len(column.values) + 1).tolist()
    labels = ["", *column.values]
    found_counts = [(labels[c], n) for c, n in enumerate(counts) if n]
    return sorted(found_counts, key=lambda kv: (-kv[1], kv[0]))


def pooled_shares(found: Evaluation) -> list[int]:
    """:func:`budget_shares` of every ticket target of the report, added up."""
    counts = [0] * len(SHARE_LABELS)
    for r in found.result.targets:
        for i, n in enumerate(budget_shares(r.measurements, r.in_period)):
            counts[i] += n
    return counts


def with_charts(html: str, found: Evaluation, language: str) -> str:
    """Draw the charts where the template placed ``{{ report.charts.… }}`` (the template
    itself cannot write HTML: its Markdown is rendered with HTML off)."""
    words = translator(language.replace("-", "_"))
    locale = documents.LOCALES[language]

    def share(v: float) -> str:
        return format_percent(v, "#,##0.#%", locale=locale)

    periods = [m.period for m in found.history[0].months] if found.history else []
    lines = [charts.Series(h.name or h.target, [m.within for m in h.months]) for h in found.history]
    drawn = {
        "compliance": charts.line_chart(
            periods, lines, title=words.gettext("Compliance over the last 12 periods"), share=share
        ),
        "breaches": charts.bar_chart(
            *_split(breaches_by(found, "priority")),
            title=words.gettext("Breaches by priority"),
        ),
        "resolution": charts.bar_chart(
            list(SHARE_LABELS),
            pooled_shares(found),
            title=words.gettext("Clocks by share of the agreed time used"),
        ),
        "availability": charts.line_chart(
            found.uptime[0].periods if found.uptime else [],
            [charts.Series(u.target, u.values) for u in found.uptime],
            title=words.gettext("Availability over the last 12 periods"),
            share=lambda v: format_percent(v, "#,##0.###%", locale=locale),
            objective=found.uptime[0].objective if len(found.uptime) == 1 else None,
            objective_label=words.gettext("Objective"),
        ),
    }
    for name, svg in drawn.items():
        marker = f"[[chart:{name}]]"
        html = html.replace(f"<p>{marker}</p>", f'<figure class="chart">{svg}</figure>')
        html = html.replace(marker, svg)
    return html


def _split(pairs: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    return [p or "—" for p, _ in pairs], [n for _, n in pairs]


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
            "budget_left_minutes": "—"
            if a.budget_left is None
            else format_decimal(round(a.budget_left / 60), locale=locale),
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
