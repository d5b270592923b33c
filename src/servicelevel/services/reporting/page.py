"""The service report page (and so its PDF): the figures model as text for the report template.

Everything the page shows comes from one figures dictionary (``report_figures``): this module
only formats it for a language — percentages, amounts, instants in the agreement's zone and
durations — and draws the charts from the same numbers. No figure is computed here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.numbers import format_decimal, format_percent

from servicelevel.engine.compliance import SHARE_LABELS
from servicelevel.i18n import moments, translator
from servicelevel.services.agreements import printing
from servicelevel.services.reporting import charts
from servicelevel.services.reporting import words as report_words

PCT = "#,##0.##%"
CHARTS = ("compliance", "breaches", "resolution", "availability")
LISTED = 50  # breaches listed in the report by name (the spreadsheet has them all)
OUTCOME = {True: "✔", False: "✘", None: "—"}


class Formats:
    """How one language writes the figures' numbers (percent values arrive as 0..100)."""

    def __init__(self, language: str, zone: str = "UTC") -> None:
        self.language = language
        self.locale = printing.LOCALES[language]
        self.zone = zone  # the agreement's: the days and times both parties read

    def pct(self, value_pct: float | None) -> str:
        return (
            "—" if value_pct is None else format_percent(value_pct / 100, PCT, locale=self.locale)
        )

    def number(self, value: float, digits: int = 0) -> str:
        return format_decimal(round(value, digits), locale=self.locale)

    def day(self, iso: str | dt.date | None) -> str:
        return moments.day(iso or None, self.locale, self.zone)

    def instant(self, iso: str, zone: str) -> str:
        return moments.moment(iso, self.locale, zone)

    def duration(self, seconds: int) -> str:
        return report_words.overrun(max(0, seconds), self.language)

    def category(self, value: str) -> str:
        return report_words.category(value, self.language)

    def reason(self, line: dict[str, Any]) -> str:
        """A credit line's reason worded from its numbers in the page's language."""
        below = line.get("tier_below_pct")
        return report_words.credit_reason(
            self.language,
            breaches=line["breaches"],
            per_breach=line.get("per_breach") or 0.0,
            tier_below=None if below is None else below / 100,
            capped=line["capped"],
        )


def page_context(figs: dict[str, Any], language: str, now: dt.datetime) -> dict[str, Any]:
    """The ``report`` of the template context (see docs/templates.md)."""
    head = figs["agreement"]
    f = Formats(language, head["timezone"])
    start = dt.date.fromisoformat(head["period_start"][:10])
    end = dt.date.fromisoformat(head["period_end"][:10]) - dt.timedelta(days=1)
    credits = figs["credits"]
    return {
        "period": head["period"],
        "from": f.day(start),
        "to": f.day(end),
        "targets": [_target(t, f) for t in figs["targets"]],
        "availability": [_availability(a, f) for a in figs["availability"]],
        "credits_total": f.number(credits["total"], 2) if credits else "0",
        "credits": [
            {"clause": c["clause"], "amount": f.number(c["amount"], 2), "reason": f.reason(c)}
            for c in (credits["lines"] if credits else [])
        ],
        "generated_at": moments.named(now, f.locale, f.zone),
        **looking_back(figs, f),
        "exclusions": exclusions(figs, f),
    }


def _target(t: dict[str, Any], f: Formats) -> dict[str, Any]:
    p90 = t["p90_seconds"]
    return {
        "id": t["target"],
        "name": t["name"],
        "objective": f.pct(t["objective_pct"]),
        "achieved": f.pct(t["within_pct"]),
        "met": t["met"],
        "breached": t["breached"],
        "open": t["open"],
        "excluded": t["excluded"],
        "outcome": OUTCOME[t["objective_met"]],
        "p90_hours": "—" if p90 is None else f.number(p90 / 3600, 1),
    }


def _availability(a: dict[str, Any], f: Formats) -> dict[str, Any]:
    left = a["budget_left_seconds"]
    return {
        "id": a["target"],
        "achieved": f.pct(a["availability_pct"]),
        "objective": f.pct(a["objective_pct"]),
        "downtime_minutes": f.number(a["downtime_seconds"] / 60),
        "outages": a["outages"],
        "budget_left_minutes": "—" if left is None else f.number(left / 60),
        "outcome": OUTCOME[a["objective_met"]],
    }


def exclusions(figs: dict[str, Any], f: Formats) -> list[dict[str, str]]:
    """The period's excluded breaches: target, ticket, when, why, decided when."""
    return [
        {
            "target": b["target_name"] or b["target"],
            "ticket": b["ticket"],
            "breached_at": f.day(b["breached_at"]),
            "reason": b["exclusion_reason"] or "",
            "decided_at": f.day(b["exclusion_decided_at"]),
        }
        for b in figs["breaches"]
        if b["excluded"]
    ]


def looking_back(figs: dict[str, Any], f: Formats) -> dict[str, Any]:
    """The trend, breaches, time-to-resolve distribution and satisfaction as text; ``charts``
    holds markers that :func:`with_charts` draws."""
    counts = figs["breach_counts"]
    s = figs["satisfaction"] or {"answers": 0, "mean_pct": None, "low": 0}
    return {
        "trend": {
            "periods": trend_periods(figs["trend"]),
            "targets": [
                {"id": t["target"], "name": t["name"], "values": [f.pct(v) for v in values]}
                for t, values in trend_series(figs)
            ],
        },
        "breaches_by_priority": [
            {"priority": b["priority"] or "—", "count": b["count"]} for b in counts["by_priority"]
        ],
        "breaches_by_category": [
            {"category": f.category(b["category"]), "count": b["count"]}
            for b in counts["by_category"]
        ],
        "breaches": breach_list(figs, f),
        "breaches_total": counts["counted"] + counts["excluded"],
        "breaches_counted": counts["counted"],
        "breaches_excluded": counts["excluded"],
        "availability_trend": [
            {"id": target, "values": [f.pct(v) for v in values]}
            for target, _, values in availability_series(figs)
        ],
        "distribution_labels": list(SHARE_LABELS),
        "distribution": [
            {"id": t["target"], "name": t["name"], "counts": shares(figs, t["target"])}
            for t in figs["targets"]
        ],
        "satisfaction": {"answers": s["answers"], "mean": f.pct(s["mean_pct"]), "low": s["low"]},
        "charts": {name: f"[[chart:{name}]]" for name in CHARTS},
    }


def breach_list(figs: dict[str, Any], f: Formats) -> list[dict[str, Any]]:
    """The first :data:`LISTED` breaches of the period, earliest first: target, ticket,
    priority, when (in the agreement's zone), by how much the agreed time was overrun, and
    whether the breach was excluded (and why)."""
    zone = figs["agreement"]["timezone"]
    return [
        {
            "target": b["target_name"] or b["target"],
            "ticket": b["ticket"],
            "priority": b["priority"],
            "breached_at": f.instant(b["breached_at"], zone),
            "over": f.duration(b["over_seconds"]),
            "excluded": b["excluded"],
            "reason": b["exclusion_reason"] or "",
        }
        for b in figs["breaches"][:LISTED]
    ]


def trend_periods(rows: list[dict[str, Any]]) -> list[str]:
    """The trend's periods in order (every target has the same ones)."""
    first = rows[0]["target"] if rows else None
    return [r["period"] for r in rows if r["target"] == first]


def trend_series(figs: dict[str, Any]) -> list[tuple[dict[str, Any], list[float | None]]]:
    """Each target with its compliance (percent) per trend period."""
    return [
        (t, [r["within_pct"] for r in figs["trend"] if r["target"] == t["target"]])
        for t in figs["targets"]
    ]


def availability_series(figs: dict[str, Any]) -> list[tuple[str, float | None, list[Any]]]:
    """Each availability target with its objective and its availability (percent, ``None``
    outside the agreement's term or not yet begun) per trend period."""
    rows = figs["availability_trend"]
    return [
        (
            a["target"],
            a["objective_pct"],
            [r["availability_pct"] for r in rows if r["target"] == a["target"]],
        )
        for a in figs["availability"]
    ]


def availability_periods(figs: dict[str, Any]) -> list[str]:
    rows = figs["availability_trend"]
    first = rows[0]["target"] if rows else None
    return [r["period"] for r in rows if r["target"] == first]


def shares(figs: dict[str, Any], target: str) -> list[int]:
    by_bucket = {r["bucket"]: r["count"] for r in figs["distribution"] if r["target"] == target}
    return [by_bucket.get(label, 0) for label in SHARE_LABELS]


def pooled_shares(figs: dict[str, Any]) -> list[int]:
    """The distribution of every ticket target of the report, added up."""
    counts = [0] * len(SHARE_LABELS)
    for t in figs["targets"]:
        for i, n in enumerate(shares(figs, t["target"])):
            counts[i] += n
    return counts


def _ratio(values: list[float | None]) -> list[float | None]:
    return [None if v is None else v / 100 for v in values]


def with_charts(html: str, figs: dict[str, Any], language: str) -> str:
    """Draw the charts where the template placed ``{{ report.charts.… }}`` (the template
    itself cannot write HTML: its Markdown is rendered with HTML off)."""
    words = translator(language.replace("-", "_"))
    locale = printing.LOCALES[language]

    def share(v: float) -> str:
        return format_percent(v, "#,##0.#%", locale=locale)

    uptime = availability_series(figs)
    by_priority = figs["breach_counts"]["by_priority"]
    drawn = {
        "compliance": charts.line_chart(
            trend_periods(figs["trend"]),
            [charts.Series(t["name"] or t["target"], _ratio(v)) for t, v in trend_series(figs)],
            title=words.gettext("Compliance over the last 12 periods"),
            share=share,
        ),
        "breaches": charts.bar_chart(
            [b["priority"] or "—" for b in by_priority],
            [b["count"] for b in by_priority],
            title=words.gettext("Breaches by priority"),
        ),
        "resolution": charts.bar_chart(
            list(SHARE_LABELS),
            pooled_shares(figs),
            title=words.gettext("Clocks by share of the agreed time used"),
        ),
        "availability": charts.line_chart(
            availability_periods(figs),
            [charts.Series(target, _ratio(values)) for target, _, values in uptime],
            title=words.gettext("Availability over the last 12 periods"),
            share=lambda v: format_percent(v, "#,##0.###%", locale=locale),
            objective=None if len(uptime) != 1 or uptime[0][1] is None else uptime[0][1] / 100,
            objective_label=words.gettext("Objective"),
        ),
    }
    for name, svg in drawn.items():
        marker = f"[[chart:{name}]]"
        html = html.replace(f"<p>{marker}</p>", f'<figure class="chart">{svg}</figure>')
        html = html.replace(marker, svg)
    return html
