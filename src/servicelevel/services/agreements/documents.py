"""Agreement documents: a version's content poured into a document template and rendered as
HTML (the PDF is made from that HTML by :mod:`servicelevel.reports.pdf`).

The placeholders a template can use are listed in docs/templates.md; every value is plain text,
numbers already formatted for the document's language.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from babel.dates import get_day_names
from babel.numbers import format_decimal, format_percent, get_currency_name
from jinja2 import Template, TemplateError
from markdown_it import MarkdownIt
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.definitions.calendars import format_shift
from servicelevel.engine.durations import DurationError, parse_duration
from servicelevel.i18n import durations, moments, translator
from servicelevel.i18n.conditions import condition
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.calendars.service_hours import compile_definition
from servicelevel.services.catalog import templates
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared.errors import Invalid

LOCALES = {"en": "en", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant"}
WORDS = {  # the few words a document needs that are not in its template
    "en": {
        "24x7": "24×7",
        "all": "all tickets",
        "month": "month",
        "quarter": "quarter",
        "year": "year",
        "monthly": "monthly",
        "quarterly": "quarterly",
        "half_yearly": "every six months",
        "yearly": "yearly",
        "below": "below",
        "credit": "credit",
        "per breach": "per breach",
        "cap": "capped at",
        "provider": "Provider",
        "counterparty": "Counterparty",
        "process_owner": "SLM process owner",
        "service_level_manager": "Service level manager",
        "service_level_administrator": "Service level administrator",
        "customer_representative": "Customer representative",
        "supplier_representative": "Supplier representative",
        "internal_team_member": "Internal team member",
        "response": "response",
        "resolution": "resolution",
    },
    "zh-Hans": {
        "24x7": "7×24 小时",
        "all": "全部工单",
        "month": "月",
        "quarter": "季度",
        "year": "年",
        "monthly": "每月",
        "quarterly": "每季度",
        "half_yearly": "每半年",
        "yearly": "每年",
        "below": "低于",
        "credit": "赔偿",
        "per breach": "每次违约",
        "cap": "上限",
        "provider": "甲方",
        "counterparty": "乙方",
        "process_owner": "SLM 流程负责人",
        "service_level_manager": "服务级别经理",
        "service_level_administrator": "服务级别管理员",
        "customer_representative": "客户代表",
        "supplier_representative": "供应商代表",
        "internal_team_member": "内部团队成员",
        "response": "响应",
        "resolution": "解决",
    },
    "zh-Hant": {
        "24x7": "7×24 小時",
        "all": "全部工單",
        "month": "月",
        "quarter": "季度",
        "year": "年",
        "monthly": "每月",
        "quarterly": "每季度",
        "half_yearly": "每半年",
        "yearly": "每年",
        "below": "低於",
        "credit": "賠償",
        "per breach": "每次違約",
        "cap": "上限",
        "provider": "甲方",
        "counterparty": "乙方",
        "process_owner": "SLM 流程負責人",
        "service_level_manager": "服務級別經理",
        "service_level_administrator": "服務級別管理員",
        "customer_representative": "客戶代表",
        "supplier_representative": "供應商代表",
        "internal_team_member": "內部團隊成員",
        "response": "回應",
        "resolution": "解決",
    },
}
markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def render_agreement(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    number: int | None = None,
    language: str = "en",
    template_id: int | None = None,
) -> tuple[str, str]:
    """``(title, html)`` of an agreement version as a document."""
    if language not in LOCALES:
        raise Invalid("language must be one of en, zh-Hans, zh-Hant", "language")
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    if number is None:
        visible = agreements.visible_versions(actor, agreement)
        if not visible:
            raise Invalid("agreement {code} has no version you may read", code=agreement.code)
        version = (
            agreements.current(agreement)
            if agreements.current(agreement) in visible
            else visible[-1]
        )
    else:
        version = agreements.get_version(
            session, actor=actor, agreement_id=agreement_id, number=number
        )[1]
    body = templates.body_for(session, agreement.kind, language, template_id)
    context = agreement_context(session, agreement, version, language)
    title = context["agreement"]["title"]  # in the document's language
    running = Running(f"{agreement.code} · {title}")
    return agreement.title, page(render_markdown(body, context), title, language, running)


@lru_cache(maxsize=64)
def _compiled(body: str) -> Template:
    """A template's text compiled once (a report's took ~0.1 s to compile at every render);
    a compiled template is immutable and renders any context."""
    return templates.sandbox.from_string(body)


def render_markdown(body: str, context: dict[str, Any]) -> str:
    """Fill a template's placeholders, then turn its Markdown into HTML."""
    try:
        filled = _compiled(body).render(**context)
    except TemplateError as exc:
        raise Invalid(
            "the template cannot be filled in: {reason}", "template", reason=str(exc)
        ) from None
    rendered: str = markdown.render(filled)
    return rendered


@dataclass(frozen=True)
class Running:
    """What the page header says on every page of a printed document: which document (its id,
    e.g. an agreement's code and a report's period) and which issue of it (a revision)."""

    left: str
    right: str = ""


def report_running(code: str, period: str, revision: int | None, language: str) -> Running:
    """A service report's running header: the report (agreement code and period) and its
    revision, or that it is not published (live figures, which may still change)."""
    words = translator(LOCALES.get(language, "en"))
    right = (
        words.gettext("Revision {revision}").format(revision=revision)
        if revision
        else words.gettext("Not published")
    )
    return Running(f"{code} · {period}", right)


# The body font of each language: Chinese in its own script's face (the SC and TC faces draw
# some characters differently; fontconfig's default for "sans-serif" is the Japanese one).
# English in the CJK face's Latin too: an SVG chart's text takes the first family fontconfig
# will substitute, and a missing "Noto Sans" is substituted by DejaVu before the list goes on.
FONTS = {
    "en": '"Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif',
    "zh-Hans": '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif',
    "zh-Hant": '"Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", sans-serif',
}


def page(content: str, title: str, language: str, running: Running | None = None) -> str:
    """A whole HTML page for a document, styled for screens and for print (A4 portrait): the
    running header names the document on every page, the footer says "page x of y"."""
    shown = running or Running(title)
    words = translator(LOCALES.get(language, "en"))
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
{print_css(language, shown, words.gettext("Page {page} of {pages}"))}
</style></head><body>
{charts_in_font(content, FONTS.get(language, FONTS["en"]))}
</body></html>"""


_CHART = re.compile(r'(<svg (?![^>]*font-family=)[^>]*class="chart")')


def charts_in_font(content: str, font: str) -> str:
    """The document's charts in the document's face: WeasyPrint draws an SVG's text in the
    SVG's own font (CSS of the page does not reach it), fontconfig's default being the
    Japanese CJK face; a chart that names no font gets the document's."""
    return _CHART.sub(lambda m: f'{m.group(1)} font-family="{escape(font)}"', content)


def print_css(language: str, running: Running, page_of: str) -> str:
    """The document's style: body font per language (margin boxes do not inherit the body's,
    so they name it too), tables that repeat their header on every page they run over."""
    font = FONTS.get(language, FONTS["en"])
    margin = f"font-family: {font}; font-size: 8.5pt; color: #5b6575;"
    return f"""@page {{ size: A4 portrait; margin: 22mm 18mm 20mm;
  @top-left {{ content: {css_string(running.left)}; {margin} }}
  @top-right {{ content: {css_string(running.right)}; {margin} }}
  @bottom-center {{ content: {page_counter(page_of)}; {margin} }} }}
html {{ font-family: {font}; }}
body {{ font-size: 10.5pt; line-height: 1.45; color: #1b1f24; max-width: 52rem; margin: auto; }}
h1 {{ font-size: 18pt; margin-bottom: .2em; }}
h2 {{ font-size: 13pt; margin: 1.2em 0 .5em; border-bottom: 1px solid #ccd; break-after: avoid; }}
table {{ border-collapse: collapse; width: 100%; margin: .6em 0; }}
thead {{ display: table-header-group; }} tr {{ break-inside: avoid; }}
th, td {{ border: 1px solid #bbc; padding: 3px 6px; text-align: left; vertical-align: top; }}
th {{ background: #eef1f6; }}
h1 + table th, h1 + table td {{ background: none; border: 0; border-bottom: 1px solid #dde; }}
h1 + table th:first-child, h1 + table td:first-child {{ width: 28%; color: #5b6575;
  font-weight: normal; }}
h1 + table th:last-child {{ font-weight: 600; }}
figure.chart {{ margin: .6em 0; break-inside: avoid; }}
svg.chart {{ display: block; max-width: 100%; height: auto; }}"""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: a title may hold quotes or backslashes, and a ``<``
    could close the page's ``<style>`` element (so it is written as the escape ``\\3c``)."""
    cleaned = re.sub(r"\s+", " ", text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + cleaned.replace("<", "\\3c ") + '"'


def page_counter(template: str) -> str:
    """A translated "Page {page} of {pages}" as CSS ``content`` with the page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", template)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(p) or css_string(p) for p in parts if p)


def agreement_context(
    session: Session, agreement: Agreement, version: AgreementVersion, language: str
) -> dict[str, Any]:
    words = WORDS[language]
    locale = LOCALES[language]
    document = agreements.document_for(session, agreement, version)
    title = (
        document["title"]
        if isinstance(document["title"], str)
        else (document["title"].get(language) or agreement.title)
    )
    calendars = _calendars(session, version, words, language)
    by_key = {c["key"]: c["name"] for c in calendars}
    services = _services(session, version, language, words)
    service_names = {s["code"]: s["name"] for s in services}
    return {
        "agreement": {
            "code": agreement.code,
            "kind": agreement.kind,
            "title": title,
            "provider": agreement.provider,
            "status": agreement.status,
            "review": words.get(agreement.review_frequency, ""),
        },
        "counterparty": _party(session, agreement.counterparty_id, language),
        "version": {
            "number": version.number,
            "state": version.state,
            "term_start": _date(version.term_start, locale),
            "term_end": _date(version.term_end, locale),
            "timezone": version.timezone,
            "signed_at": _instant(version.signed_at, locale, version.timezone),
            "in_force_from": _instant(version.in_force_from, locale, version.timezone),
        },
        "services": services,
        "calendars": calendars,
        "targets": [_target(t, words, locale, by_key) for t in document["targets"]],
        "availability": [
            {
                "id": a["id"],
                "name": _text(a.get("name", ""), language),
                "service": service_names.get(a["service"], a["service"]),
                "calendar": by_key.get(a["calendar"], a["calendar"]),
                "objective": format_percent(a["objective"], "#,##0.###%", locale=locale),
            }
            for a in document["availability"]
        ],
        "credits": [_credit(c, words, locale) for c in document["credits"]],
        "credit_cap": format_percent(version.credit_cap, "#,##0.##%", locale=locale)
        if version.credit_cap is not None
        else "",
        "fee": {
            "amount": format_decimal(version.fee_amount, locale=locale),
            "currency": version.fee_currency,
            "currency_name": _currency(version.fee_currency, locale),
            "per": words.get(version.fee_per, ""),
        }
        if version.fee_amount is not None
        else None,
        "responsibilities": _responsibilities(version.responsibilities),
        "escalation": document.get("escalation") or [],
        "signatures": [
            {
                "side": words[s.side],
                "name": s.name,
                "role": words.get(s.signed_as, s.signed_as),
                "signed_at": _instant(s.signed_at, locale, version.timezone),
            }
            for s in version.signatures
        ],
        "today": moments.day(dt.datetime.now(dt.UTC), locale, version.timezone),
    }


def _date(value: dt.date | None, locale: str) -> str:
    """A day of the agreement as the reader writes it (i18n.moments); empty when unset."""
    return moments.day(value, locale) if value else ""


def _instant(value: dt.datetime | None, locale: str, zone: str) -> str:
    """An instant of the agreement in its own zone, named: both parties read one wall clock."""
    return moments.named(value, locale, zone) if value else ""


def _currency(code: str, locale: str) -> str:
    """The currency's name in the document's language (CNY: 人民币), else its code."""
    try:
        return get_currency_name(code, locale=locale) if code else ""
    except (ValueError, LookupError):
        return code


def _text(value: Any, language: str) -> str:
    if isinstance(value, dict):
        return str(value.get(language) or value.get("en") or next(iter(value.values()), ""))
    return str(value or "")


def _party(session: Session, party_id: int, language: str) -> dict[str, str]:
    found = catalog_repo.parties_by_ids(session, {party_id})
    if not found:
        return {"name": "", "code": ""}
    return {"name": found[0].names.get(language) or found[0].name, "code": found[0].code}


def _calendars(
    session: Session, version: AgreementVersion, words: dict[str, str], language: str
) -> list[dict[str, str]]:
    out = []
    for c in version.calendars:
        record = calendar_repo.calendar_by_id(session, c.calendar_id) if c.calendar_id else None
        if record is None:
            out.append(
                {"key": c.key, "name": words["24x7"], "timezone": "", "hours": words["24x7"]}
            )
            continue
        spec = compile_definition(record.definition)
        names = get_day_names(
            "abbreviated" if language == "en" else "wide", locale=LOCALES[language]
        )
        days = [
            f"{names[i]} {', '.join(format_shift(s) for s in shifts)}"
            for i, shifts in enumerate(spec.week)
            if shifts
        ]
        out.append(
            {
                "key": c.key,
                "name": record.name or record.code,
                "timezone": record.timezone,
                "hours": f"{'; '.join(days)} ({record.timezone})",
            }
        )
    return out


def _services(
    session: Session, version: AgreementVersion, language: str, words: dict[str, str]
) -> list[dict[str, str]]:
    """The covered services in the document's language, with their own service hours."""
    ids = [s.service_id for s in version.services]
    found = {s.id: s for s in catalog_repo.services_by_ids(session, ids)}
    out = []
    for i in ids:
        if i not in found:
            continue
        service = found[i]
        record = calendar_repo.calendar_by_id(session, service.calendar_id) \
            if service.calendar_id else None  # fmt: skip
        out.append({
            "code": service.code, "name": service.names.get(language) or service.name,
            "description": service.descriptions.get(language) or service.description,
            "hours": (record.name or record.code) if record else words["24x7"],
        })  # fmt: skip
    return out


def _target(
    t: dict[str, Any], words: dict[str, str], locale: str, calendars: dict[str, str]
) -> dict[str, Any]:
    applies = condition(t["when"], translator(locale)) if t["when"] else ""
    objective = t.get("objective")
    return {
        "id": t["id"],
        "name": _text(t.get("name", ""), locale.replace("_", "-")),
        "clock": words.get(t["clock"], t["clock"]),
        "applies_to": applies or words["all"],
        "within": _within(t["within"], locale),
        "calendar": calendars.get(t["calendar"], t["calendar"]),
        "objective": format_percent(objective, "#,##0.###%", locale=locale) if objective else "",
        "warnings": ", ".join(
            format_percent(w, "#,##0%", locale=locale) for w in t.get("warnings", [])
        ),
    }


def _within(text: str, locale: str) -> str:
    """A target's time budget in the document's words: ``4h`` → 4 小时, ``2bd`` → 2 个工作日
    (exact: a contract says what it promises, to the second)."""
    try:
        budget = parse_duration(text)
    except DurationError:
        return text
    t = translator(locale)
    if budget.business_days is not None:
        return t.gettext("{n} business days").format(n=budget.business_days)
    return durations.duration(budget.seconds, t)


def _credit(c: dict[str, Any], words: dict[str, str], locale: str) -> dict[str, str]:
    parts = [
        f"{words['below']} {format_percent(t['below'], '#,##0.###%', locale=locale)}: "
        f"{words['credit']} {format_percent(t['credit'], '#,##0.##%', locale=locale)}"
        for t in c.get("tiers", [])
    ]
    if c.get("per_breach"):
        parts.append(f"{format_decimal(c['per_breach'], locale=locale)} {words['per breach']}")
    if c.get("cap") is not None:
        cap = c["cap"]
        shown = (
            format_percent(cap, "#,##0.##%", locale=locale)
            if c.get("tiers")
            else format_decimal(cap, locale=locale)
        )
        parts.append(f"{words['cap']} {shown}")
    return {"id": c["id"], "target": c["target"], "terms": "; ".join(parts)}


def _responsibilities(value: dict[str, Any]) -> dict[str, list[str]]:
    items = value.get("items", value) if value else {}
    if isinstance(items, list):
        return {"": [str(i) for i in items]}
    return {str(k): [str(i) for i in (v if isinstance(v, list) else [v])] for k, v in items.items()}
