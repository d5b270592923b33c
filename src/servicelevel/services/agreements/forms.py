"""Agreements authored with forms: a draft version's targets and credit clauses as table rows.

The form is another way to write the same document the YAML editor writes: the rows are turned
into the document's ``targets`` and ``credits`` and saved through ``authoring.edit_version``,
so the form, the YAML page, the API and the CLI store identical versions. Each row is checked on
its own first, so that a mistake is reported on the exact field rather than on the whole text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.definitions.agreements import fraction
from servicelevel.definitions.calendars import ALWAYS
from servicelevel.engine.durations import DurationError, TooLongError, parse_duration
from servicelevel.services.agreements import authoring
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid
from servicelevel.services.shared.validation import TOO_LONG

MAX_ROWS = 200
NAME_LIMIT = 200
PRIORITIES = ("P1", "P2", "P3", "P4", "P5")


@dataclass
class TargetRow:
    """One line of the target table, as typed."""

    id: str = ""
    name: str = ""  # in the language the form is written in
    clock: str = ""
    priority: str = ""
    within: str = ""
    calendar: str = ""
    objective: str = ""
    warnings: str = ""


@dataclass
class CreditRow:
    """One credit clause, as typed: tiers are "below credit" pairs separated by commas."""

    id: str = ""
    target: str = ""
    tiers: str = ""
    cap: str = ""


@dataclass
class AgreementForm:
    """What the form page shows: the rows and the lists its fields pick from."""

    version: int
    targets: list[TargetRow]
    credits: list[CreditRow]
    clocks: list[str]
    calendars: list[str]
    credit_targets: list[str]
    errors: dict[str, Invalid] = field(default_factory=dict)
    calendar_names: dict[str, str] = field(default_factory=dict)  # key: stored calendar's name
    names: dict[str, Any] = field(default_factory=dict)  # a clause's key: its name(s), if any
    note: str = ""
    code: str = ""  # the agreement's id


def default_term(zone: str | None, now: dt.datetime) -> tuple[dt.date, dt.date]:
    """A new agreement's term: from the first day of next month in its zone, for one year, so
    that a draft never starts in the past."""
    today = now.astimezone(ZoneInfo(zone or "UTC")).date()
    start = dt.date(today.year + today.month // 12, today.month % 12 + 1, 1)
    return start, dt.date(start.year + 1, start.month, 1) - dt.timedelta(days=1)


def _percent(value: Any) -> str:
    return "" if value is None else f"{float(fraction(value)) * 100:g}%"


def name_in(name: Any, tag: str) -> str:
    """A clause's name (one text, or one per language) in the language ``tag``; a single text
    is English."""
    if isinstance(name, dict):
        return str(name.get(tag) or "")
    return str(name or "") if tag == "en" else ""


def _target_row(target: Mapping[str, Any], tag: str) -> TargetRow:
    when = target.get("when") or {}
    priority = when.get("priority", "")
    return TargetRow(
        id=str(target["id"]),
        name=name_in(target.get("name"), tag),
        clock=str(target["clock"]),
        priority=", ".join(map(str, priority)) if isinstance(priority, list) else str(priority),
        within=str(target["within"]),
        calendar=str(target["calendar"]),
        objective=_percent(target.get("objective")),
        warnings=", ".join(_percent(w) for w in target.get("warnings") or []),
    )


def _credit_row(credit: Mapping[str, Any]) -> CreditRow:
    tiers = ", ".join(
        f"{_percent(t['below'])} {_percent(t['credit'])}" for t in credit.get("tiers") or []
    )
    return CreditRow(
        id=str(credit["id"]),
        target=str(credit["target"]),
        tiers=tiers,
        cap=_percent(credit.get("cap")),
    )


def form_for(
    session: Session, *, actor: Actor, agreement_id: int, number: int, language: str = "en"
) -> AgreementForm:
    """The rows of a version's targets and credit clauses, with the clocks, calendars and
    targets they may name; each target's name in ``language`` (en, zh-Hans, zh-Hant)."""
    require(actor, "agreement.write")
    agreement, found = agreements.get_version(
        session, actor=actor, agreement_id=agreement_id, number=number
    )
    if found.state != "draft":
        raise Conflict(
            "version {number} of {code} is no longer a draft: start a new version to change it",
            "state",
            number=number,
            code=agreement.code,
        )
    document = agreements.document_for(session, agreement, found)
    clauses = [*document.get("targets", []), *document.get("availability", [])]
    return AgreementForm(
        version=found.version,
        targets=[_target_row(t, language) for t in document.get("targets", [])],
        credits=[_credit_row(c) for c in document.get("credits", [])],
        clocks=sorted(document.get("clocks", {})),
        calendars=sorted(document.get("calendars", {})),
        credit_targets=[t["id"] for t in document.get("targets", [])]
        + [a["id"] for a in document.get("availability", [])],
        calendar_names=_calendar_names(session, document.get("calendars", {})),
        names={c["id"]: c["name"] for c in clauses if c.get("name")},
        note=found.note,
        code=agreement.code,
    )


def _calendar_names(session: Session, calendars: Mapping[str, Any]) -> dict[str, str]:
    """Each calendar key's stored calendar by its name; a 24×7 one by an empty name (the page
    says it in words); an inline one has none."""
    names = {}
    for key, value in calendars.items():
        if isinstance(value, str) and value.strip().lower() in ALWAYS:
            names[key] = ""
        elif isinstance(value, str):
            record = calendar_repo.calendar_by_code(session, value)
            names[key] = record.name if record is not None and record.name else value
    return names


def rows_from_fields(fields: Mapping[str, str]) -> tuple[list[TargetRow], list[CreditRow]]:
    """The rows of a submitted form (``targets-0-id``, ``credits-1-tiers``…); blank rows are
    dropped, so the spare empty row the page always offers costs nothing, and so is a row whose
    ``remove`` box is ticked."""
    targets: dict[int, TargetRow] = {}
    credits: dict[int, CreditRow] = {}
    removed: set[tuple[str, int]] = set()
    for key, value in fields.items():
        parts = key.split("-", 2)
        if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) >= MAX_ROWS:
            continue
        table, index, name = parts[0], int(parts[1]), parts[2]
        if name == "remove" and value:
            removed.add((table, index))
        elif table == "targets" and name in TargetRow.__dataclass_fields__:
            setattr(targets.setdefault(index, TargetRow()), name, value.strip())
        elif table == "credits" and name in CreditRow.__dataclass_fields__:
            setattr(credits.setdefault(index, CreditRow()), name, value.strip())
    return (
        [
            r
            for i, r in sorted(targets.items())
            if any(vars(r).values()) and ("targets", i) not in removed
        ],
        [
            r
            for i, r in sorted(credits.items())
            if any(vars(r).values()) and ("credits", i) not in removed
        ],
    )


def _check_percent(
    errors: dict[str, Invalid], key: str, text: str, *, required: bool = True
) -> float | None:
    if not text:
        if required:
            errors[key] = Invalid("write a percentage like 95%", key)
        return None
    try:
        value = fraction(text)
    except ValueError:
        errors[key] = Invalid("cannot read {value}: write a percentage like 95%", key, value=text)
        return None
    if not 0 < value <= 1:
        errors[key] = Invalid("a percentage lies between 0% and 100%", key)
        return None
    return value


def _target(
    row: TargetRow, i: int, form: AgreementForm, errors: dict[str, Invalid], language: str
) -> dict[str, Any]:
    key = f"targets-{i}-"
    if len(row.name) > NAME_LIMIT:
        errors[key + "name"] = Invalid(
            "write the name in at most {limit} characters", key + "name", limit=NAME_LIMIT
        )
    if not row.id:
        errors[key + "id"] = Invalid("give the target a key, such as P1-resolution", key + "id")
    if row.clock not in form.clocks:
        errors[key + "clock"] = Invalid("pick one of the agreement's clocks", key + "clock")
    if row.calendar not in form.calendars:
        errors[key + "calendar"] = Invalid(
            "pick one of the agreement's calendars", key + "calendar"
        )
    try:
        parse_duration(row.within)
    except TooLongError:
        errors[key + "within"] = Invalid(TOO_LONG, key + "within", value=row.within)
    except DurationError:
        errors[key + "within"] = Invalid(
            "cannot read {value}: write a duration like 4h, 30m or 2bd (business days)",
            key + "within",
            value=row.within,
        )
    priorities = [p.strip() for p in row.priority.split(",") if p.strip()]
    if any(p not in PRIORITIES for p in priorities):
        errors[key + "priority"] = Invalid("pick a priority from the list", key + "priority")
    target: dict[str, Any] = {"id": row.id, "clock": row.clock}
    if row.name:
        target["name"] = {language: row.name}
    if priorities:
        target["when"] = {"priority": priorities[0] if len(priorities) == 1 else priorities}
    target.update(within=row.within, calendar=row.calendar)
    objective = _check_percent(errors, key + "objective", row.objective)
    target["objective"] = row.objective if objective is not None else None
    warnings = [w.strip() for w in row.warnings.split(",") if w.strip()]
    for w in warnings:
        if _check_percent(errors, key + "warnings", w) == 1:
            errors[key + "warnings"] = Invalid("a warning lies below 100%", key + "warnings")
    if warnings:
        target["warnings"] = warnings
    return target


def _credit(
    row: CreditRow, i: int, form: AgreementForm, errors: dict[str, Invalid]
) -> dict[str, Any]:
    key = f"credits-{i}-"
    if not row.id:
        errors[key + "id"] = Invalid("give the credit clause a key", key + "id")
    if row.target not in form.credit_targets:
        errors[key + "target"] = Invalid("pick one of the agreement's targets", key + "target")
    tiers = []
    for pair in (p.split() for p in row.tiers.split(",") if p.strip()):
        if len(pair) != 2:
            errors[key + "tiers"] = Invalid(
                "write each tier as two percentages: below and credit, like 99.9% 5%", key + "tiers"
            )
            break
        for text in pair:
            _check_percent(errors, key + "tiers", text)
        tiers.append({"below": pair[0], "credit": pair[1]})
    credit: dict[str, Any] = {"id": row.id, "target": row.target, "tiers": tiers}
    if row.cap and _check_percent(errors, key + "cap", row.cap) is not None:
        credit["cap"] = row.cap
    return credit


def _merged(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The new clauses, each keeping what the form does not show (names, per-breach amounts,
    other conditions) from the clause of the same key."""
    kept = {c["id"]: c for c in old}
    merged = []
    for clause in new:
        before = kept.get(clause["id"], {})
        if "name" in clause and before.get("name"):  # the other languages' names stay
            old_name = before["name"]
            names = dict(old_name) if isinstance(old_name, dict) else {"en": old_name}
            clause = {**clause, "name": {**names, **clause["name"]}}
        if "when" in before or "when" in clause:  # the other conditions stay, the priority is new
            when = {k: v for k, v in (before.get("when") or {}).items() if k != "priority"}
            when.update(clause.get("when", {}))
            clause = {**clause, "when": when}
        merged.append({**before, **clause})
    for clause in merged:
        if clause.get("when") == {}:
            del clause["when"]
    return merged


def save_form(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    number: int,
    version: int,
    targets: list[TargetRow],
    credits: list[CreditRow],
    note: str | None = None,
    language: str = "en",
) -> AgreementForm:
    """Save the rows into the draft version (each target's name in ``language``, its names in
    other languages kept); a form with every field error when any row is wrong (nothing is
    saved then), else the form as stored."""
    form = form_for(
        session, actor=actor, agreement_id=agreement_id, number=number, language=language
    )
    form.targets, form.credits = targets, credits
    form.credit_targets = [t.id for t in targets if t.id] + [
        c for c in form.credit_targets if c not in {t.id for t in targets}
    ]
    errors: dict[str, Invalid] = {}
    new_targets = [_target(r, i, form, errors, language) for i, r in enumerate(targets)]
    new_credits = [_credit(r, i, form, errors) for i, r in enumerate(credits)]
    if errors:
        form.errors = errors
        return form
    agreement, found = agreements.get_version(
        session, actor=actor, agreement_id=agreement_id, number=number
    )
    document = agreements.document_for(session, agreement, found)
    for new_targets_item in new_targets:
        if new_targets_item["objective"] is None:
            del new_targets_item["objective"]
    document["targets"] = _merged(document.get("targets", []), new_targets)
    document["credits"] = _merged(document.get("credits", []), new_credits)
    authoring.edit_version(
        session,
        actor=actor,
        agreement_id=agreement_id,
        number=number,
        version=version,
        document=document,
        note=note,
    )
    return form
