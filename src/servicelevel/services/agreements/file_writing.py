"""A stored version written back as an agreement file (docs/formats.md): the canonical form
that export, the diff between versions and evaluation all read. The version's services,
calendars and counterparty are written by their codes, which :class:`Names` gives.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from servicelevel.db.models import AgreementTarget, AgreementVersion, CreditClause
from servicelevel.services.agreements.files import COUNTERPARTY_KEY


@dataclass(frozen=True)
class Names:
    """Codes of what a version points at, to write it back as a document."""

    counterparty: str
    services: dict[int, str]
    calendars: dict[int, str]


def document_of(agreement: Any, version: AgreementVersion, names: Names) -> dict[str, Any]:
    """A version as an agreement file (the canonical form: export, diff, evaluation), a copy
    of its own that may be changed."""
    doc: dict[str, Any] = {
        "id": agreement.code,
        "kind": agreement.kind,
        "title": {"en": agreement.title, **agreement.titles}
        if agreement.titles
        else agreement.title,
        "provider": agreement.provider,
        COUNTERPARTY_KEY[agreement.kind]: names.counterparty,
        "services": [names.services[s.service_id] for s in version.services],
        "term": _term(version.term_start, version.term_end),
        "review": agreement.review_frequency,
        "timezone": version.timezone,
    }
    if version.fee_amount is not None:
        doc["fee"] = {
            "amount": version.fee_amount,
            "currency": version.fee_currency,
            "per": version.fee_per,
        }
    doc["calendars"] = {
        c.key: "24x7" if c.calendar_id is None else names.calendars[c.calendar_id]
        for c in version.calendars
    }
    doc["clocks"] = version.clocks
    doc["targets"] = [_target_doc(t) for t in version.targets if t.kind == "ticket"]
    doc["availability"] = [_availability_doc(t) for t in version.targets if t.kind != "ticket"]
    doc["credits"] = [_credit_doc(c) for c in version.credits]
    if version.credit_cap is not None:
        doc["credit_cap"] = version.credit_cap
    for name, key in (("responsibilities", "items"), ("escalation", "levels")):
        value = getattr(version, name)
        if value:
            doc[name] = value[key] if set(value) == {key} else value
    if version.description:
        doc["description"] = version.description
    # a new document, never the rows' own dicts and lists: changing it leaves the version alone
    return copy.deepcopy(doc)


def _term(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
    return {k: v.isoformat() for k, v in (("start", start), ("end", end)) if v is not None}


def _named(t: AgreementTarget) -> str | dict[str, str]:
    return {"en": t.name, **t.names} if t.names else t.name


def _target_doc(t: AgreementTarget) -> dict[str, Any]:
    out: dict[str, Any] = {"id": t.key}
    if t.name or t.names:
        out["name"] = _named(t)
    out.update(clock=t.clock, when=t.selector, within=t.within, calendar=t.calendar_key)
    if t.objective is not None:
        out["objective"] = t.objective
    if t.warnings.get("at"):
        out["warnings"] = t.warnings["at"]
    if t.held_by:
        out["held_by"] = t.held_by
    return out


def _availability_doc(t: AgreementTarget) -> dict[str, Any]:
    out: dict[str, Any] = {"id": t.key}
    if t.name or t.names:
        out["name"] = _named(t)
    out.update(service=t.service_code, calendar=t.calendar_key, objective=t.objective)
    return out


def _credit_doc(c: CreditClause) -> dict[str, Any]:
    out: dict[str, Any] = {"id": c.key, "target": c.target_key}
    if c.tiers.get("tiers"):
        out["tiers"] = [{"below": b, "credit": v} for b, v in c.tiers["tiers"]]
    if c.per_breach:
        out["per_breach"] = c.per_breach
    if c.cap is not None:
        out["cap"] = c.cap
    if c.description:
        out["description"] = c.description
    return out
