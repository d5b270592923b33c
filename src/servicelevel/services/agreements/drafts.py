"""Drafting an agreement from what is already written down: a service level option of the
catalog (Gold, Silver…) or a customer's service level requirement (SLR).

The draft is an ordinary agreement document (see :mod:`servicelevel.services.agreements.authoring`):
the service, its service hours as the ``business`` calendar next to ``always`` (24×7), the standard
response and resolution clocks, and one target per level the option offers or the SLR asks for
(availability levels become availability targets). Its term starts on the first day of next month in
the service hours' zone, for a year (:func:`agreement_forms.default_term`), so a draft
never starts in the past unless someone types such a date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, Party, Service, ServiceLevelRequirement
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories import requirements as requirement_repo
from servicelevel.i18n import LOCALES, translator
from servicelevel.i18n.durations import within as within_words
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.agreements.forms import default_term
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Invalid
from servicelevel.services.shared.validation import code as checked_code
from servicelevel.services.shared.validation import text

# The clocks a draft starts with: the same rules the what-if analysis measures with when no SLA
# of the customer defines its own (services/requirements/whatif.py STANDARD_CLOCKS), as document
# clauses.
CLOCKS: dict[str, Any] = {
    "response": {
        "stop": {"events": ["responded"], "states": ["Resolved", "Closed"]},
        "cancel": {"states": ["Cancelled"]},
    },
    "resolution": {
        "pause": {"states": ["Awaiting Customer", "Awaiting Supplier", "Pending"]},
        "stop": {"states": ["Resolved", "Closed"]},
        "cancel": {"states": ["Cancelled"]},
    },
}
KINDS = ("option", "requirement")
# A drafted target's name in each language, as a customer reads it in the document and the
# report (its key, "P1-resolution", is for people who write agreement files).
NAMES = {
    "response": ("{priority} tickets answered within {within}", "Tickets answered within {within}"),
    "resolution": (
        "{priority} tickets resolved within {within}",
        "Tickets resolved within {within}",
    ),
}
AVAILABLE = "{service} availability"
Level = tuple[str, str, str, float]  # metric, priority, within, objective


@dataclass(frozen=True)
class OptionChoice:
    id: int
    service: Service
    name: str
    names: dict[str, str]


@dataclass(frozen=True)
class DraftChoices:
    """What the drafting form offers: options by service, requirements, customers."""

    options: list[OptionChoice]
    requirements: list[ServiceLevelRequirement]
    customers: list[Party]
    services: dict[int, Service]  # the requirements' services, by id


@dataclass(frozen=True)
class _Source:
    service: Service
    customer_id: int | None  # an SLR's customer; an option has none
    levels: list[Level]


def choices(session: Session, *, actor: Actor) -> DraftChoices:
    """The published options and the open requirements an agreement can be drafted from."""
    require(actor, "agreement.write")
    options = [
        OptionChoice(o.id, s, o.name, dict(o.names))
        for s in catalog_repo.published_with_options(session)
        for o in s.options
        if o.targets
    ]
    found = requirement_repo.list_requirements(
        session, status=None, service_id=None, customer_id=None, search=None,
        only=None, with_targets=False, offset=0, limit=500,
    ).items  # fmt: skip
    asked = [r for r in found if r.status != "rejected"]
    customers = party_repo.list_parties(
        session, kind="customer", search=None, only=None, offset=0, limit=500
    ).items
    services = catalog_repo.services_by_ids(session, sorted({r.service_id for r in asked}))
    return DraftChoices(options, asked, customers, {s.id: s for s in services})


def _source(session: Session, source: str) -> _Source:
    kind, _, number = source.partition(":")
    if kind not in KINDS or not number.isdigit():
        raise Invalid("pick an option or a requirement to start from", "source")
    if kind == "requirement":
        found = requirement_repo.requirement_by_id(session, int(number))
        if found is None or found.status == "rejected":
            raise Invalid("pick an option or a requirement to start from", "source")
        service = catalog_repo.service_by_id(session, found.service_id)
        assert service is not None  # a requirement's service is a foreign key
        levels = [(t.metric, t.priority, t.within, t.objective) for t in found.targets]
        return _Source(service, found.customer_id, levels)
    for service in catalog_repo.published_with_options(session):
        for option in service.options:
            if option.id == int(number) and option.targets:
                levels = [(t.metric, t.priority, t.within, t.objective) for t in option.targets]
                return _Source(service, None, levels)
    raise Invalid("pick an option or a requirement to start from", "source")


def _names(template: str, service: Service | None = None, **values: str) -> dict[str, str]:
    """``template`` in each language, its budget (``within``) in that language's words."""
    names = {}
    for locale in LOCALES:
        t, tag = translator(locale), locale.replace("_", "-")
        given = dict(values)
        if "within" in given:
            given["within"] = within_words(given["within"], t)
        if service is not None:
            given["service"] = service.names.get(tag) or service.name
        names[tag] = t.gettext(template).format(**given)
    return names


def _targets(service: Service, hours: str, levels: list[Level]) -> dict[str, list[Any]]:
    targets: list[dict[str, Any]] = []
    availability: list[dict[str, Any]] = []
    used: set[str] = set()
    for metric, priority, within, objective in levels:
        if metric == "availability":
            key = f"{service.code}-availability"
            clause: dict[str, Any] = {"id": key, "name": _names(AVAILABLE, service)}
            clause.update(service=service.code, calendar=hours)
            availability.append({**clause, "objective": objective})
            used.add(key)
            continue
        chosen = [p.strip() for p in priority.split(",") if p.strip()]
        key = base = f"{'-'.join(chosen) or 'all'}-{metric}"
        while key in used:
            key = f"{base}-{len(used)}"
        used.add(key)
        some, every = NAMES[metric]
        name = (
            _names(some, priority=", ".join(chosen), within=within)
            if chosen
            else _names(every, within=within)
        )
        target: dict[str, Any] = {"id": key, "name": name, "clock": metric}
        if chosen:
            target["when"] = {"priority": chosen[0] if len(chosen) == 1 else chosen}
        target.update(within=within, calendar=hours, objective=objective)
        targets.append(target)
    return {"targets": targets, "availability": availability}


def _title(service: Service, customer: Party) -> dict[str, str]:
    title = {"en": f"{service.name} for {customer.name}"}
    for tag in ("zh-Hans", "zh-Hant"):
        served, party = service.names.get(tag), customer.names.get(tag)
        title[tag] = f"{served or service.name}（{party or customer.name}）"
    return title


def _free_code(session: Session, customer: Party, service: Service) -> str:
    base = f"SLA-{customer.code}-{service.code}".upper()[:60]
    found, n = base, 1
    while agreement_repo.agreement_by_code(session, found) is not None:
        n += 1
        found = f"{base}-{n}"
    return found


def _day(value: dt.date | None, default: dt.date) -> dt.date:
    return default if value is None else value


def draft(
    session: Session,
    *,
    actor: Actor,
    source: str,
    now: dt.datetime,
    customer_id: int | None = None,
    code: str = "",
    provider: str = "",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Agreement:
    """A new SLA in draft from ``source`` (``option:<id>`` or ``requirement:<id>``) for the
    customer (an SLR's own customer), its targets those levels; an empty code is made from the
    customer's and the service's, an empty term is :func:`default_term` in the service's zone."""
    require(actor, "agreement.write")
    found = _source(session, source)
    customer_id = found.customer_id or customer_id
    customer = party_repo.party_by_id(session, customer_id) if customer_id else None
    if customer is None or customer.kind != "customer":
        raise Invalid("pick the customer the agreement is with", "customer_id")
    calendar = None
    if found.service.calendar_id is not None:
        calendar = calendar_repo.calendar_by_id(session, found.service.calendar_id)
    first, last = default_term(calendar.timezone if calendar else None, now)
    start, end = _day(start, first), _day(end, last)
    if end < start:
        raise Invalid("the term ends before it starts", "end")
    calendars = {"always": "24x7"} | ({"business": calendar.code} if calendar else {})
    document: dict[str, Any] = {
        "id": checked_code(code, "code")
        if code.strip()
        else _free_code(session, customer, found.service),
        "kind": "SLA",
        "title": _title(found.service, customer),
        "provider": text(provider, "provider", limit=200),
        "customer": customer.code,
        "services": [found.service.code],
        "term": {"start": start.isoformat(), "end": end.isoformat()},
        "review": "quarterly",
        "calendars": calendars,
        "clocks": CLOCKS,
        **_targets(found.service, "business" if calendar else "always", found.levels),
    }
    return agreements.create_agreement(session, actor=actor, document=document)
