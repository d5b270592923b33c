"""Agreements as documents: the agreement file format (docs/formats.md) read into stored
versions.

The API, ``slm agreement import/export`` and the diff between versions all speak the one file
format. In the database a document's calendars name *stored* calendars by code (or ``24x7``),
its services name catalog services by code and its counterparty names a party by code; a
calendar given as a file path (``../calendars/beijing-office.yaml``) is looked up by the file's
stem, so the example files import as they are. A document is checked against the format first
(:mod:`servicelevel.services.agreements.file_checks`); a version is written back as a file by
:mod:`servicelevel.services.agreements.file_writing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import (
    AgreementCalendar,
    AgreementTarget,
    AgreementVersion,
    CoveredService,
    CreditClause,
    Party,
)
from servicelevel.db.models.agreements import REVIEW_FREQUENCIES
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.definitions.agreements import AgreementModel
from servicelevel.definitions.calendars import ALWAYS
from servicelevel.services.shared.errors import Invalid

COUNTERPARTY_KEY = {"SLA": "customer", "OLA": "internal_team", "UC": "supplier"}
COUNTERPARTY_KIND = {"SLA": "customer", "OLA": "internal_team", "UC": "supplier"}
PER = {1.0: "month", 3.0: "quarter", 12.0: "year"}


@dataclass
class Header:
    """What belongs to the agreement as a whole (not to one version)."""

    code: str
    kind: str
    title: str
    titles: dict[str, str]
    provider: str
    counterparty: Party
    review_frequency: str


@dataclass
class Content:
    """What one version holds, ready to be stored."""

    columns: dict[str, Any]
    service_ids: list[int]
    calendars: dict[str, int | None]
    targets: list[AgreementTarget] = field(default_factory=list)
    credits: list[CreditClause] = field(default_factory=list)


def read_header(session: Session, model: AgreementModel) -> Header:
    code = model.id.strip()
    if not code:
        raise Invalid("an agreement needs an id", "id")
    key = COUNTERPARTY_KEY[model.kind]
    party_code = getattr(model, key)
    if not party_code:
        raise Invalid("an {kind} names its {key} (a party code)", key, kind=model.kind, key=key)
    party = party_repo.party_by_code(session, party_code)
    if party is None or party.kind != COUNTERPARTY_KIND[model.kind]:
        raise Invalid("no {key} with code {code}", key, key=key, code=party_code)
    titles = model.title if isinstance(model.title, dict) else {"en": model.title}
    title = titles.get("en") or next(iter(titles.values()), "") or code
    review = (model.review or "yearly").replace("-", "_")
    if review not in REVIEW_FREQUENCIES:
        raise Invalid("review must be one of monthly, quarterly, half_yearly, yearly", "review")
    others = {k: v for k, v in titles.items() if k != "en" and v}
    return Header(code, model.kind, title, others, model.provider, party, review)


def read_content(session: Session, model: AgreementModel) -> Content:
    """The measurable part of a document with its references resolved."""
    calendars = {key: _calendar_ref(session, key, value) for key, value in model.calendars.items()}
    _check_references(model)
    services = catalog_repo.services_by_codes(session, list(dict.fromkeys(model.services)))
    missing = set(model.services) - {s.code for s in services}
    if missing:
        raise Invalid("no service with code {code}", "services", code=sorted(missing)[0])
    timezone = model.timezone or _first_zone(session, calendars)
    columns = {
        "term_start": model.term.start,
        "term_end": model.term.end,
        "timezone": timezone,
        "fee_amount": model.fee.amount if model.fee else None,
        "fee_currency": model.fee.currency if model.fee else "",
        "fee_per": model.fee.per if model.fee else "month",
        "credit_cap": model.credit_cap,
        "clocks": {k: c.model_dump(exclude_defaults=True) for k, c in model.clocks.items()},
        "responsibilities": _mapping(model.responsibilities, "items"),
        "escalation": _mapping(model.escalation, "levels"),
        "description": english_text(model.description),
    }
    if model.term.start and model.term.end and model.term.end < model.term.start:
        raise Invalid("the term ends before it starts", "term.end")
    return Content(
        columns=columns,
        service_ids=[s.id for s in services],
        calendars=calendars,
        targets=_targets(model),
        credits=[
            CreditClause(
                position=i,
                key=c.id,
                target_key=c.target,
                tiers={"tiers": [[t.below, t.credit] for t in c.tiers]},
                per_breach=c.per_breach,
                cap=c.to_engine().cap,
                description=english_text(c.description),
            )
            for i, c in enumerate(model.credits)
        ],
    )


def _check_references(model: AgreementModel) -> None:
    """The same reference checks the file loader makes, naming the field."""
    ids: set[str] = set()
    for i, t in enumerate(model.targets):
        if t.clock not in model.clocks:
            raise Invalid("unknown clock {clock}", f"targets.{i}.clock", clock=t.clock)
        if t.calendar not in model.calendars:
            raise Invalid("unknown calendar {key}", f"targets.{i}.calendar", key=t.calendar)
        if t.id in ids:
            raise Invalid("target id {id} is used twice", f"targets.{i}.id", id=t.id)
        ids.add(t.id)
    for i, a in enumerate(model.availability):
        if a.calendar not in model.calendars:
            raise Invalid("unknown calendar {key}", f"availability.{i}.calendar", key=a.calendar)
        if a.id in ids:
            raise Invalid("target id {id} is used twice", f"availability.{i}.id", id=a.id)
        ids.add(a.id)
    for i, c in enumerate(model.credits):
        if c.target not in ids:
            raise Invalid("unknown target {id}", f"credits.{i}.target", id=c.target)
        if not c.tiers and not c.per_breach:
            raise Invalid("a credit clause needs tiers or per_breach", f"credits.{i}")
        if c.tiers and c.per_breach:
            raise Invalid("a credit clause has tiers or per_breach, not both", f"credits.{i}")
    for key, clock in model.clocks.items():
        if clock.pause.events or clock.cancel.events:
            raise Invalid("pause and cancel follow states, not events", f"clocks.{key}")


def _targets(model: AgreementModel) -> list[AgreementTarget]:
    rows = [
        AgreementTarget(
            position=i,
            key=t.id,
            kind="ticket",
            name=english_text(t.name),
            names=_others(t.name),
            clock=t.clock,
            selector={
                k: [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in t.when.items()
            },
            within=t.within,
            calendar_key=t.calendar,
            objective=t.objective,
            warnings={"at": list(t.warnings)},
            held_by=t.held_by or model.held_by or "",
        )
        for i, t in enumerate(model.targets)
    ]
    start = len(rows)
    rows += [
        AgreementTarget(
            position=start + i,
            key=a.id,
            kind="availability",
            name=english_text(a.name),
            names=_others(a.name),
            calendar_key=a.calendar,
            objective=a.objective,
            service_code=a.service,
        )
        for i, a in enumerate(model.availability)
    ]
    return rows


def _calendar_ref(session: Session, key: str, value: Any) -> int | None:
    if not isinstance(value, str):
        raise Invalid(
            "name a stored calendar by its code, or 24x7 (inline calendars are for files)",
            f"calendars.{key}",
        )
    if value.strip().lower() in ALWAYS:
        return None
    code = PurePosixPath(value).stem if value.endswith((".yaml", ".yml")) else value
    record = calendar_repo.calendar_by_code(session, code)
    if record is None:
        raise Invalid("no stored calendar with code {code}", f"calendars.{key}", code=code)
    return record.id


def _first_zone(session: Session, calendars: dict[str, int | None]) -> str:
    for calendar_id in calendars.values():
        if calendar_id is not None:
            record = calendar_repo.calendar_by_id(session, calendar_id)
            if record is not None:
                return record.timezone
    return "UTC"


def english_text(value: str | dict[str, str]) -> str:
    """A name or title given in one language or several, in English (else its first)."""
    if isinstance(value, str):
        return value
    return value.get("en") or next(iter(value.values()), "")


def _others(value: str | dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in value.items() if k != "en"} if isinstance(value, dict) else {}


def _mapping(value: Any, key: str) -> dict[str, Any]:
    """Free-form sections (responsibilities, escalation) stored as a JSON object."""
    if value is None:
        return {}
    return value if isinstance(value, dict) else {key: value}


def fill(version: AgreementVersion, content: Content) -> None:
    """Put ``content`` into an editable version, replacing what it held."""
    for name, value in content.columns.items():
        setattr(version, name, value)
    version.services = [CoveredService(service_id=i) for i in content.service_ids]
    version.calendars = [
        AgreementCalendar(key=k, calendar_id=v) for k, v in content.calendars.items()
    ]
    version.targets = content.targets
    version.credits = content.credits


def copy_row(row: Any) -> Any:
    """An unsaved copy of a target or credit clause row (for a new version)."""
    table = row.__table__
    skip = {"id", "version_id"}
    return type(row)(**{c.key: getattr(row, c.key) for c in table.columns if c.key not in skip})
