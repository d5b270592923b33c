"""The service catalog (SLM1): services in the customer's language and the service level
options the provider can offer for them.

A service is edited while it is a draft; approving, publishing, retiring and revising it are in
:mod:`servicelevel.services.catalog.lifecycle`. Customer and supplier representatives and
internal team members see the published catalog only.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import OfferedTarget, Service, ServiceDependency, ServiceOption
from servicelevel.db.models.catalog import METRICS, SERVICE_STATES
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import code, known_user, promise, text, translations

STATES = SERVICE_STATES
TARGET_METRICS = METRICS
FIELDS = (
    "code", "name", "names", "description", "descriptions", "category", "owner_id",
    "calendar_id", "status",
)  # fmt: skip


@dataclass(frozen=True)
class OfferedTargetData:
    """``objective`` is a fraction (0.95); ``within`` a duration text, empty for availability."""

    metric: str
    objective: float
    priority: str = ""
    within: str = ""


@dataclass(frozen=True)
class OptionData:
    code: str
    name: str
    names: dict[str, str] = field(default_factory=dict)
    targets: tuple[OfferedTargetData, ...] = ()


@dataclass(frozen=True)
class ServiceData:
    code: str
    name: str
    names: dict[str, str] = field(default_factory=dict)
    description: str = ""
    descriptions: dict[str, str] = field(default_factory=dict)
    category: str = ""
    owner_id: int | None = None
    calendar_id: int | None = None
    depends_on: tuple[int, ...] = ()  # internal teams and suppliers the service relies on


def _clean(session: Session, data: ServiceData) -> ServiceData:
    cleaned = replace(
        data,
        code=code(data.code, "code"),
        name=text(data.name, "name", required=True, limit=200),
        names=translations(data.names, "names", limit=200),
        description=text(data.description, "description", limit=4000),
        descriptions=translations(data.descriptions, "descriptions", limit=4000),
        category=text(data.category, "category", limit=100),
        depends_on=tuple(dict.fromkeys(data.depends_on)),
    )
    known_user(session, cleaned.owner_id, "owner_id")
    if cleaned.calendar_id is not None and (
        calendar_repo.calendar_by_id(session, cleaned.calendar_id) is None
    ):
        raise Invalid("no calendar {id}", "calendar_id", id=cleaned.calendar_id)
    for party_id in cleaned.depends_on:
        party = party_repo.party_by_id(session, party_id)
        if party is None or party.kind == "customer":
            raise Invalid(
                "a service depends on internal teams and suppliers; {id} is neither",
                "depends_on",
                id=party_id,
            )
    return cleaned


def _scalar_fields(data: ServiceData) -> dict[str, Any]:
    return {f.name: getattr(data, f.name) for f in fields(data) if f.name != "depends_on"}


def service_snapshot(service: Service) -> dict[str, Any]:
    """The audited state of a service, options and dependencies included."""
    out = audit.snapshot(service, FIELDS)
    out["depends_on"] = sorted(d.party_id for d in service.dependencies)
    out["options"] = [
        {
            "code": o.code,
            "name": o.name,
            "targets": [[t.metric, t.priority, t.within, t.objective] for t in o.targets],
        }
        for o in service.options
    ]
    return out


def create_service(session: Session, *, actor: Actor, data: ServiceData) -> Service:
    require(actor, "catalog.write")
    data = _clean(session, data)
    if repo.service_by_code(session, data.code) is not None:
        raise Conflict("a service with code {code} exists already", "code", code=data.code)
    service = Service(**_scalar_fields(data), status="draft")
    service.options = []
    service.dependencies = [ServiceDependency(party_id=p) for p in data.depends_on]
    session.add(service)
    audit.record(session, actor, "create", service, None, service_snapshot(service))
    return service


def get_service(session: Session, *, actor: Actor, service_id: int) -> Service:
    """A service with its options; representatives see published services only."""
    require(actor, "catalog.read")
    service = repo.service_by_id(session, service_id)
    if service is None or (actor.scoped and service.status != "published"):
        raise NotFound("no service {id}", id=service_id)
    return service


def list_services(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    category: str | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Service]:
    require(actor, "catalog.read")
    statuses = ("published",) if actor.scoped else None
    return repo.list_services(
        session,
        status=status,
        statuses=statuses,
        category=category,
        search=search,
        offset=offset,
        limit=limit,
    )


def published_catalog(session: Session, *, actor: Actor) -> list[Service]:
    """The catalog as customers read it: published services, their options and targets."""
    require(actor, "catalog.read")
    return repo.published_with_options(session)


def _editable(session: Session, actor: Actor, service_id: int, version: int) -> Service:
    require(actor, "catalog.write")
    service = get_service(session, actor=actor, service_id=service_id)
    audit.check_version(service, version)
    if service.status != "draft":
        raise Conflict(
            "service {code} is {status}; revise it to a draft before changing it",
            "status",
            code=service.code,
            status=service.status,
        )
    return service


def update_service(
    session: Session, *, actor: Actor, service_id: int, version: int, changes: dict[str, Any]
) -> Service:
    """Change a draft service that is still at ``version``."""
    service = _editable(session, actor, service_id, version)
    before = service_snapshot(service)
    current = ServiceData(
        **{k: v for k, v in before.items() if k in ServiceData.__dataclass_fields__},
    )
    known = {k: v for k, v in changes.items() if k in ServiceData.__dataclass_fields__}
    if "depends_on" in known:  # null clears the dependencies, as it clears other references
        known["depends_on"] = tuple(known["depends_on"] or ())
    merged = _clean(session, replace(current, **known))
    if merged.code != service.code and repo.service_by_code(session, merged.code) is not None:
        raise Conflict("a service with code {code} exists already", "code", code=merged.code)
    for name, value in _scalar_fields(merged).items():
        setattr(service, name, value)
    kept = {d.party_id: d for d in service.dependencies}
    service.dependencies = [kept.get(p) or ServiceDependency(party_id=p) for p in merged.depends_on]
    audit.record_update(session, actor, service, before, service_snapshot(service))
    return service


def _clean_target(target: OfferedTargetData, where: str) -> OfferedTarget:
    metric, objective, priority, within = promise(
        target.metric, target.objective, target.priority, target.within, where
    )
    return OfferedTarget(metric=metric, priority=priority, within=within, objective=objective)


def _clean_option(option: OptionData, rank: int) -> ServiceOption:
    where = f"options.{rank}"
    made = ServiceOption(
        code=code(option.code, f"{where}.code"),
        name=text(option.name, f"{where}.name", required=True, limit=200),
        names=translations(option.names, f"{where}.names", limit=200),
        rank=rank,
    )
    made.targets = [_clean_target(t, f"{where}.targets.{i}") for i, t in enumerate(option.targets)]
    seen: set[tuple[str, str]] = set()
    for i, t in enumerate(made.targets):
        if (t.metric, t.priority) in seen:
            raise Invalid(
                "option {code} promises {metric} for priority {priority} twice",
                f"{where}.targets.{i}",
                code=made.code,
                metric=t.metric,
                priority=t.priority or "*",
            )
        seen.add((t.metric, t.priority))
    return made


def set_options(
    session: Session,
    *,
    actor: Actor,
    service_id: int,
    version: int,
    options: list[OptionData],
) -> Service:
    """Replace the service level options of a draft service (Gold, Silver, Bronze…)."""
    service = _editable(session, actor, service_id, version)
    before = service_snapshot(service)
    made = [_clean_option(o, rank) for rank, o in enumerate(options)]
    codes = [o.code for o in made]
    if len(codes) != len(set(codes)):
        raise Invalid("option codes must be unique within a service", "options")
    service.options = []
    session.flush()  # the old options go first: a kept code would otherwise collide
    service.options = made
    service.updated_at = utcnow()  # the options belong to the service: a new version
    audit.record_update(session, actor, service, before, service_snapshot(service))
    return service


def delete_service(session: Session, *, actor: Actor, service_id: int, version: int) -> None:
    """Remove a draft service that was never approved (others are retired, not deleted)."""
    service = _editable(session, actor, service_id, version)
    if service.approved_at is not None:
        raise Conflict(
            "service {code} was approved once; retire it instead of deleting it",
            code=service.code,
        )
    before = service_snapshot(service)
    audit.record(session, actor, "delete", service, before, None)
    session.delete(service)
    session.flush()
