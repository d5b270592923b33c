"""Agreement documents: what a version says, in the document's language — its content poured
into a document template, every value plain text, numbers already formatted for the language.

The placeholders a template can use are listed in docs/templates.md; how the filled template
is printed (Markdown to HTML, fonts, the running header, the page) is
:mod:`servicelevel.services.agreements.printing`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import get_day_names
from babel.numbers import format_decimal, format_percent, get_currency_name
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.definitions.calendars import format_shift
from servicelevel.engine.durations import DurationError, parse_duration
from servicelevel.i18n import durations, moments, translator
from servicelevel.i18n.conditions import condition
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.printing import LOCALES, Running, page, render_markdown
from servicelevel.services.calendars.service_hours import compile_definition
from servicelevel.services.catalog import templates
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.shared.errors import Invalid

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
