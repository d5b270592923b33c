"""Service level requirements (SLM2): captured from customers, analysed against the catalog.

Analysis compares every requested target with the service level options the catalog offers for
the service (:mod:`servicelevel.engine.offers`) and keeps the verdict with the requirement. A
requirement that exceeds the catalog — a target beyond every option, or one no option offers —
raises a change request (:mod:`servicelevel.services.requirements.change_requests`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import RequestedTarget, ServiceLevelRequirement
from servicelevel.db.models.requirements import REQUIREMENT_STATES
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories import requirements as repo
from servicelevel.db.repositories.common import Page
from servicelevel.engine.durations import Duration, parse_duration
from servicelevel.engine.offers import Option, Promise, Verdict, compare
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.requirements import change_requests
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound
from servicelevel.services.shared.validation import promise, text

STATES = REQUIREMENT_STATES
FIELDS = ("code", "customer_id", "service_id", "title", "justification", "requester", "status")
SHORT = ("exceeds", "not_offered")  # verdicts that the catalog cannot meet


@dataclass(frozen=True)
class RequestedTargetData:
    metric: str
    objective: float
    priority: str = ""
    within: str = ""


@dataclass(frozen=True)
class RequirementData:
    code: str
    customer_id: int
    service_id: int
    title: str
    justification: str = ""
    requester: str = ""
    targets: tuple[RequestedTargetData, ...] = field(default_factory=tuple)


def snapshot(requirement: ServiceLevelRequirement) -> dict[str, Any]:
    out = audit.snapshot(requirement, FIELDS)
    out["targets"] = [[t.metric, t.priority, t.within, t.objective] for t in requirement.targets]
    return out


def _clean(session: Session, data: RequirementData) -> RequirementData:
    data = replace(
        data,
        code=text(data.code, "code", required=True, limit=64),
        title=text(data.title, "title", required=True, limit=300),
        justification=text(data.justification, "justification", limit=4000),
        requester=text(data.requester, "requester", limit=200),
    )
    customer = party_repo.party_by_id(session, data.customer_id)
    if customer is None or customer.kind != "customer":
        raise Invalid("no customer {id}", "customer_id", id=data.customer_id)
    if catalog_repo.service_by_id(session, data.service_id) is None:
        raise Invalid("no service {id}", "service_id", id=data.service_id)
    if not data.targets:
        raise Invalid("state at least one requested target", "targets")
    return data


def _target(data: RequestedTargetData, position: int) -> RequestedTarget:
    metric, objective, priority, within = promise(
        data.metric, data.objective, data.priority, data.within, f"targets.{position}"
    )
    return RequestedTarget(
        position=position, metric=metric, priority=priority, within=within, objective=objective
    )


def capture(session: Session, *, actor: Actor, data: RequirementData) -> ServiceLevelRequirement:
    """Record what a customer asks for (status: captured)."""
    require(actor, "requirement.write")
    data = _clean(session, data)
    if repo.requirement_by_code(session, data.code) is not None:
        raise Conflict("a requirement with code {code} exists already", "code", code=data.code)
    requirement = ServiceLevelRequirement(
        code=data.code,
        customer_id=data.customer_id,
        service_id=data.service_id,
        title=data.title,
        justification=data.justification,
        requester=data.requester,
        status="captured",
        created_by_id=actor.user_id,
    )
    requirement.targets = [_target(t, i) for i, t in enumerate(data.targets)]
    session.add(requirement)
    audit.record(session, actor, "create", requirement, None, snapshot(requirement))
    return requirement


def get_requirement(
    session: Session, *, actor: Actor, requirement_id: int
) -> ServiceLevelRequirement:
    require(actor, "requirement.read")
    found = repo.requirement_by_id(session, requirement_id)
    if found is None or (actor.scoped and found.customer_id not in actor.parties):
        raise NotFound("no requirement {id}", id=requirement_id)
    return found


def list_requirements(
    session: Session,
    *,
    actor: Actor,
    status: str | None = None,
    service_id: int | None = None,
    customer_id: int | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int = 50,
    with_targets: bool = False,
) -> Page[ServiceLevelRequirement]:
    require(actor, "requirement.read")
    return repo.list_requirements(
        session,
        status=status,
        service_id=service_id,
        customer_id=customer_id,
        search=search,
        only=actor.parties if actor.scoped else None,
        with_targets=with_targets,
        offset=offset,
        limit=limit,
    )


def update_requirement(
    session: Session,
    *,
    actor: Actor,
    requirement_id: int,
    version: int,
    changes: dict[str, Any],
) -> ServiceLevelRequirement:
    """Change a requirement not yet decided; its analysis is then out of date (captured)."""
    require(actor, "requirement.write")
    found = get_requirement(session, actor=actor, requirement_id=requirement_id)
    audit.check_version(found, version)
    if found.status in ("agreed", "rejected"):
        raise Conflict(
            "requirement {code} is {status}", "status", code=found.code, status=found.status
        )
    before = snapshot(found)
    current = RequirementData(
        found.code,
        found.customer_id,
        found.service_id,
        found.title,
        found.justification,
        found.requester,
        tuple(
            RequestedTargetData(t.metric, t.objective, t.priority, t.within) for t in found.targets
        ),
    )
    known = {k: v for k, v in changes.items() if k in RequirementData.__dataclass_fields__}
    if "targets" in known:
        known["targets"] = tuple(known["targets"])
    merged = _clean(session, replace(current, **known))
    if merged.code != found.code and repo.requirement_by_code(session, merged.code) is not None:
        raise Conflict("a requirement with code {code} exists already", "code", code=merged.code)
    for name in ("code", "customer_id", "service_id", "title", "justification", "requester"):
        setattr(found, name, getattr(merged, name))
    found.targets = []
    session.flush()
    found.targets = [_target(t, i) for i, t in enumerate(merged.targets)]
    found.status, found.analysed_at = "captured", None
    audit.record_update(session, actor, found, before, snapshot(found))
    return found


def _options(session: Session, service_id: int) -> list[Option]:
    service = catalog_repo.service_by_id(session, service_id)
    if service is None:
        return []
    return [
        Option(
            o.code,
            tuple(
                Promise(
                    t.metric,
                    t.objective,
                    t.priority,
                    parse_duration(t.within) if t.within else None,
                )
                for t in o.targets
            ),
        )
        for o in service.options
    ]


def analyse(
    session: Session, *, actor: Actor, requirement_id: int, version: int
) -> ServiceLevelRequirement:
    """Compare every requested target with the catalog's options; raise a change request
    when the catalog cannot meet the requirement."""
    require(actor, "requirement.write")
    found = get_requirement(session, actor=actor, requirement_id=requirement_id)
    audit.check_version(found, version)
    if found.status in ("agreed", "rejected"):
        raise Conflict(
            "requirement {code} is {status}", "status", code=found.code, status=found.status
        )
    before = snapshot(found)
    options = _options(session, found.service_id)
    for target in found.targets:
        within = parse_duration(target.within) if target.within else None
        verdict = compare(
            Promise(target.metric, target.objective, target.priority, within), options
        )
        target.outcome, target.analysis = verdict.outcome, _analysis(verdict)
    found.status, found.analysed_at = "analysed", utcnow()
    found.updated_at = utcnow()
    audit.record(session, actor, "analyse", found, before, snapshot(found))
    short = [t for t in found.targets if t.outcome in SHORT]
    if short:
        change_requests.raise_for(session, actor=actor, requirement=found, short=short)
    return found


def _analysis(verdict: Verdict) -> dict[str, Any]:
    return {
        "option": verdict.option,
        "time_short": verdict.time_short,
        "business_days_short": verdict.business_days_short,
        "objective_gap": verdict.objective_gap,
    }


def decide(
    session: Session,
    *,
    actor: Actor,
    requirement_id: int,
    version: int,
    decision: str,
    note: str = "",
) -> ServiceLevelRequirement:
    """Agree to an analysed requirement (it will go into an SLA) or reject it."""
    require(actor, "requirement.decide")
    if decision not in ("agreed", "rejected"):
        raise Invalid("decision must be agreed or rejected", "decision")
    found = get_requirement(session, actor=actor, requirement_id=requirement_id)
    audit.check_version(found, version)
    if found.status != "analysed":
        raise Conflict(
            "requirement {code} is {status}; analyse it before deciding",
            "status",
            code=found.code,
            status=found.status,
        )
    before = snapshot(found)
    found.status, found.decided_at = decision, utcnow()
    found.decision_note = text(note, "note")
    audit.record(session, actor, decision, found, before, snapshot(found))
    return found


@dataclass(frozen=True)
class Demand:
    """The strictest requested promise for one metric and priority of a service."""

    metric: str
    priority: str
    within: str
    objective: float
    requirements: list[str]


def consolidated(session: Session, *, actor: Actor, service_id: int) -> list[Demand]:
    """All open and agreed requirements for a service, consolidated: per metric and priority
    the shortest budget and highest objective asked for, and who asked."""
    page = list_requirements(
        session, actor=actor, service_id=service_id, limit=500, with_targets=True
    )
    demands: dict[tuple[str, str], Demand] = {}
    for requirement in page.items:
        if requirement.status == "rejected":
            continue
        for t in requirement.targets:
            key = (t.metric, t.priority)
            seen = demands.get(key)
            if seen is None:
                demands[key] = Demand(
                    t.metric, t.priority, t.within, t.objective, [requirement.code]
                )
                continue
            demands[key] = Demand(
                t.metric,
                t.priority,
                _shorter(seen.within, t.within),
                max(seen.objective, t.objective),
                [*seen.requirements, requirement.code],
            )
    return sorted(demands.values(), key=lambda d: (d.metric, d.priority))


def _shorter(a: str, b: str) -> str:
    if not a or not b:
        return a or b
    x, y = parse_duration(a), parse_duration(b)
    if x.is_business_days != y.is_business_days:
        return a  # not comparable: keep the first asked
    return a if _size(x) <= _size(y) else b


def _size(duration: Duration) -> int:
    return duration.business_days or 0 if duration.is_business_days else duration.seconds
