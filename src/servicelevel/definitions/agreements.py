"""The agreement file format (docs/formats.md#agreements) → :class:`Agreement`.

An agreement file names its parties and services, its calendars (files relative to it, inline
definitions, or ``24x7``), its clocks (which states start, pause and stop them), its targets,
availability targets, credit clauses and fee. Every error names the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from servicelevel.definitions.calendars import ALWAYS, calendar_from_document
from servicelevel.definitions.source import Localized, Located, read_yaml
from servicelevel.engine.agreements import Agreement, AvailabilityTarget, Fee
from servicelevel.engine.business_time import Calendar
from servicelevel.engine.calendars import always_open
from servicelevel.engine.clocks import ClockDefinition
from servicelevel.engine.credits import CreditClause, Tier
from servicelevel.engine.durations import DurationError, parse_duration
from servicelevel.engine.targets import Selector, Target

FEE_PERIODS = {"month": 1.0, "quarter": 3.0, "year": 12.0}


def fraction(value: Any) -> float:
    """``95%``, ``99.9 %`` or ``0.95`` → 0.95; a bare number above 1 is refused as ambiguous."""
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            try:
                return float(text[:-1].strip()) / 100
            except ValueError:
                raise ValueError(f"cannot read percentage {value!r}") from None
        try:
            value = float(text)
        except ValueError:
            raise ValueError(f"cannot read {value!r}: write a percentage like 95%") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a percentage like 95%, got {value!r}")
    if not 0 <= value <= 1:
        raise ValueError(f"{value} is ambiguous: write a percentage like {value}% or a fraction")
    return float(value)


Fraction = Annotated[float, BeforeValidator(fraction)]


class Conditions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    states: list[str] = []
    events: list[str] = []


class ClockModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: Conditions = Conditions()
    pause: Conditions = Conditions()
    stop: Conditions
    cancel: Conditions = Conditions()
    reopen: Literal["continue", "restart"] = "continue"
    description: str = ""

    def to_engine(self) -> ClockDefinition:
        if self.pause.events or self.cancel.events:
            raise ValueError("pause and cancel follow states; events cannot pause or cancel")
        return ClockDefinition(
            start_events=frozenset(self.start.events),
            start_states=frozenset(self.start.states),
            pause_states=frozenset(self.pause.states),
            stop_states=frozenset(self.stop.states),
            stop_events=frozenset(self.stop.events),
            cancel_states=frozenset(self.cancel.states),
            reopen=self.reopen,
        )


class TargetModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: Localized = ""
    clock: str
    when: dict[str, str | int | list[str | int]] = {}
    within: str
    calendar: str
    objective: Any = None
    warnings: list[Any] = []
    # a team (as the tickets name it): the clock runs only while that team holds the ticket
    held_by: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("within")
    @classmethod
    def _duration(cls, v: str) -> str:
        try:
            parse_duration(v)
        except DurationError as exc:
            raise ValueError(str(exc)) from None
        return v

    @field_validator("objective")
    @classmethod
    def _objective(cls, v: Any) -> float | None:
        return None if v is None else fraction(v)

    @field_validator("warnings")
    @classmethod
    def _warnings(cls, v: list[Any]) -> list[float]:
        out = sorted(fraction(x) for x in v)
        if any(not 0 < x < 1 for x in out):
            raise ValueError("warning thresholds lie strictly between 0% and 100%")
        return out

    def to_engine(self, held_by: str | None = None) -> Target:
        """The engine's target; ``held_by`` is the agreement's team, for targets that name
        none of their own."""
        conditions = {
            k: frozenset(str(x) for x in (v if isinstance(v, list) else [v]))
            for k, v in self.when.items()
        }
        return Target(
            id=self.id,
            clock=self.clock,
            budget=parse_duration(self.within),
            calendar=self.calendar,
            selector=Selector(conditions),
            objective=self.objective,
            warnings=tuple(self.warnings),
            name=_text(self.name),
            held_by=self.held_by or held_by or "",
        )


class AvailabilityModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name: Localized = ""
    service: str
    calendar: str
    objective: Fraction


class TierModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    below: Fraction
    credit: Fraction


class CreditModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    target: str
    tiers: list[TierModel] = []
    per_breach: float = 0.0
    cap: Any = None
    description: Localized = ""

    def to_engine(self) -> CreditClause:
        cap = None
        if self.cap is not None:
            cap = fraction(self.cap) if self.tiers else float(self.cap)
        return CreditClause(
            id=self.id,
            target=self.target,
            tiers=tuple(Tier(t.below, t.credit) for t in self.tiers),
            per_breach=self.per_breach,
            cap=cap,
            description=_text(self.description),
        )


class FeeModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: float = Field(ge=0)
    currency: str = ""
    per: Literal["month", "quarter", "year"] = "month"


class TermModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    start: dt.date | None = None
    end: dt.date | None = None


class AgreementModel(BaseModel):
    """The schema of an agreement file."""

    model_config = ConfigDict(extra="forbid")
    id: str
    kind: Literal["SLA", "OLA", "UC"]
    title: Localized = ""
    provider: str = ""
    customer: str | None = None
    internal_team: str | None = None
    supplier: str | None = None
    services: list[str] = []
    term: TermModel = TermModel()
    timezone: str | None = None
    review: str | None = None
    fee: FeeModel | None = None
    calendars: dict[str, Any]
    clocks: dict[str, ClockModel] = {}
    targets: list[TargetModel] = []
    availability: list[AvailabilityModel] = []
    credits: list[CreditModel] = []
    credit_cap: Any = None
    # an OLA's targets count while this team holds the ticket (each target may name its own)
    held_by: str | None = Field(default=None, min_length=1, max_length=200)
    responsibilities: dict[str, Any] | list[Any] | None = None
    escalation: list[Any] | dict[str, Any] | None = None
    description: Localized = ""

    @field_validator("credit_cap")
    @classmethod
    def _cap(cls, v: Any) -> float | None:
        return None if v is None else fraction(v)


def _text(value: str | dict[str, str]) -> str:
    """A text in one language: English first, else the first given."""
    if isinstance(value, str):
        return value
    return value.get("en") or next(iter(value.values()), "")


# Calendars compiled for inline definitions, reused while the definition is unchanged (a
# report, an explanation or an availability check would otherwise compile them every time).
_COMPILED: dict[tuple[str, str], Calendar] = {}
_KEEP = 256


def _calendar(doc: Located, key: str, value: Any, base: Path) -> Calendar:
    """The calendar a key names; one without any working time is refused here, where its
    line is known, rather than at the first deadline it cannot give."""
    found = _named_calendar(doc, key, value, base)
    if not found.spec.has_working_time():
        raise doc.error(
            ("calendars", key),
            f"calendar {key!r} has no working time: give working hours for at least one day "
            "of the week, or extra working days",
        )
    return found


def _named_calendar(doc: Located, key: str, value: Any, base: Path) -> Calendar:
    if isinstance(value, str) and value.strip().lower() in ALWAYS:
        return _reused((key, "24x7"), lambda: Calendar(always_open(name=key)))
    if isinstance(value, str):
        path = base / value
        return Calendar(calendar_from_document(read_yaml(path), key))
    if isinstance(value, dict):
        sub = Located(value, _sublines(doc, ("calendars", key)), doc.source)
        token = (key, json.dumps(value, sort_keys=True, default=str))
        return _reused(token, lambda: Calendar(calendar_from_document(sub, key)))
    raise doc.error(("calendars", key), "give a calendar file path, an inline calendar or 24x7")


def _reused(token: tuple[str, str], make: Callable[[], Calendar]) -> Calendar:
    found = _COMPILED.get(token)
    if found is None:
        found = make()
        if len(_COMPILED) >= _KEEP:
            _COMPILED.clear()
        _COMPILED[token] = found
    return found


def _sublines(doc: Located, prefix: tuple[str, ...]) -> dict[tuple[str | int, ...], int]:
    n = len(prefix)
    return {k[n:]: v for k, v in doc.lines.items() if k[:n] == prefix}


def agreement_from_document(doc: Located, base: Path) -> Agreement:
    """Build an evaluable agreement from a parsed agreement document."""
    model = doc.validate(AgreementModel)
    calendars = {k: _calendar(doc, k, v, base) for k, v in model.calendars.items()}
    clocks = {}
    for key, clock in model.clocks.items():
        try:
            clocks[key] = clock.to_engine()
        except ValueError as exc:
            raise doc.error(("clocks", key), str(exc)) from None
    _check_references(doc, model, calendars, clocks)
    counterparty = model.customer or model.internal_team or model.supplier or ""
    timezone = model.timezone or next(iter(calendars.values())).spec.timezone
    fee = None
    if model.fee is not None:
        fee = Fee(model.fee.amount, model.fee.currency, FEE_PERIODS[model.fee.per])
    try:
        credits = tuple(c.to_engine() for c in model.credits)
        return Agreement(
            id=model.id,
            kind=model.kind,
            title=_text(model.title),
            provider=model.provider,
            counterparty=counterparty,
            timezone=timezone,
            calendars=calendars,
            clocks=clocks,
            targets=tuple(t.to_engine(model.held_by) for t in model.targets),
            availability=tuple(
                AvailabilityTarget(a.id, a.service, a.calendar, a.objective, _text(a.name))
                for a in model.availability
            ),
            credits=credits,
            credit_cap=model.credit_cap,
            fee=fee,
            services=tuple(model.services),
            start=model.term.start,
            end=model.term.end,
        )
    except ValueError as exc:
        raise doc.error((), str(exc)) from None


def _check_references(
    doc: Located, model: AgreementModel, calendars: dict[str, Calendar], clocks: dict[str, Any]
) -> None:
    ids: set[str] = set()
    for i, t in enumerate(model.targets):
        if t.clock not in clocks:
            raise doc.error(
                ("targets", i, "clock"), f"unknown clock {t.clock!r}; define it under clocks"
            )
        if t.calendar not in calendars:
            raise doc.error(("targets", i, "calendar"), f"unknown calendar {t.calendar!r}")
        if t.id in ids:
            raise doc.error(("targets", i, "id"), f"target id {t.id!r} is used twice")
        ids.add(t.id)
    for i, a in enumerate(model.availability):
        if a.calendar not in calendars:
            raise doc.error(("availability", i, "calendar"), f"unknown calendar {a.calendar!r}")
        if a.id in ids:
            raise doc.error(("availability", i, "id"), f"target id {a.id!r} is used twice")
        ids.add(a.id)
    for i, c in enumerate(model.credits):
        if c.target not in ids:
            raise doc.error(("credits", i, "target"), f"unknown target {c.target!r}")
        if not c.tiers and not c.per_breach:
            raise doc.error(("credits", i), "a credit clause needs tiers or per_breach")


def load_agreement(path: str | Path) -> Agreement:
    """Read an agreement file and the calendar files it names."""
    p = Path(path)
    return agreement_from_document(read_yaml(p), p.parent)
