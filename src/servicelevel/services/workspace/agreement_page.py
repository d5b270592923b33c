"""An agreement as its pages show it: names of everything it points at, its versions, the
steps the reader may take, comments, underpinning and findings — in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import (
    Agreement,
    AgreementComment,
    AgreementVersion,
    Party,
    ServiceReport,
)
from servicelevel.db.repositories import agreements as repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements import underpinning
from servicelevel.services.agreements.lifecycle import COUNTERSIGNER, STEPS
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity.permissions import MANAGER, OWNER, Actor, allowed
from servicelevel.services.parties import directory as parties
from servicelevel.services.reporting import snapshots as report_snapshots


@dataclass(frozen=True)
class AgreementView:
    agreement: Agreement
    counterparty: Party | None
    manager: str
    versions: list[AgreementVersion]  # those the reader may see
    shown: AgreementVersion | None  # the version the page shows (in force, else newest)
    document: dict[str, Any]
    steps: list[str]  # propose / approve / activate, where the reader may take them
    can_sign: bool
    comments: list[AgreementComment]
    authors: dict[int, str]
    linked: list[Agreement]  # underpinning: empty for those who may not read it
    findings: list[underpinning.Finding]
    candidates: list[Agreement]  # OLAs and UCs that could be linked to this SLA
    reports: list[ServiceReport]  # published reports, newest first
    measurements: dict[str, int]  # per status, as last recomputed


def describe_agreement(
    session: Session, *, actor: Actor, agreement_id: int, number: int | None = None
) -> AgreementView:
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    versions = agreements.visible_versions(actor, agreement)
    shown = _shown(agreement, versions, number)
    comments = agreements.comments(session, actor=actor, agreement_id=agreement.id)
    users = {c.author_id for c in comments if c.author_id} | {agreement.manager_id or 0}
    names = catalog_repo.usernames(session, users)
    parties = catalog_repo.parties_by_ids(session, {agreement.counterparty_id})
    internal = allowed(actor, "underpinning.read")
    linked = (
        underpinning.supporting(session, actor=actor, agreement_id=agreement.id) if internal else []
    )
    return AgreementView(
        agreement=agreement,
        counterparty=parties[0] if parties else None,
        manager=names.get(agreement.manager_id or 0, ""),
        versions=versions,
        shown=shown,
        document=agreements.document_for(session, agreement, shown) if shown else {},
        steps=_steps(actor, shown) if shown is not None and shown is versions[-1] else [],
        can_sign=shown is not None and _may_sign(actor, agreement, shown),
        comments=comments,
        authors=names,
        linked=linked,
        findings=underpinning.findings_among(session, agreement, linked) if internal else [],
        candidates=_candidates(session, actor, agreement, linked),
        reports=report_snapshots.list_reports(
            session, actor=actor, agreement_id=agreement.id, limit=100
        ).items,
        measurements=measurement_repo.counts_by_status(session, agreement.id),
    )


def _shown(
    agreement: Agreement, versions: list[AgreementVersion], number: int | None
) -> AgreementVersion | None:
    if number is not None:
        return next((v for v in versions if v.number == number), None)
    force = agreements.in_force(agreement)
    return force if force in versions else (versions[-1] if versions else None)


def _steps(actor: Actor, version: AgreementVersion) -> list[str]:
    return [
        step
        for step, (permission, sources, _) in STEPS.items()
        if version.state in sources and allowed(actor, permission)
    ]


def _may_sign(actor: Actor, agreement: Agreement, version: AgreementVersion) -> bool:
    if version.state != "approved" or not allowed(actor, "agreement.sign"):
        return False
    side = "provider" if actor.roles & {OWNER, MANAGER} else "counterparty"
    if side == "counterparty" and COUNTERSIGNER[agreement.kind] not in actor.roles:
        return False
    return side not in {s.side for s in version.signatures}


def _candidates(
    session: Session, actor: Actor, agreement: Agreement, linked: list[Agreement]
) -> list[Agreement]:
    if agreement.kind != "SLA" or not allowed(actor, "agreement.write"):
        return []
    taken = {a.id for a in linked}
    found = []
    for kind in ("OLA", "UC"):
        page = agreements.list_agreements(session, actor=actor, kind=kind, limit=500)
        found += [a for a in page.items if a.id not in taken]
    return found


def portfolio(session: Session, *, actor: Actor) -> dict[str, Any]:
    """The agreements portfolio: every agreement, counts by state, and all findings."""
    page = agreements.list_agreements(session, actor=actor, limit=500)
    counts = repo.count_by_status(session) if not actor.scoped else {}
    return {
        "agreements": page.items,
        "counts": counts,
        "findings": underpinning.portfolio_findings(session, actor=actor)
        if allowed(actor, "underpinning.read")
        else [],
    }


def portfolio_choices(session: Session, *, actor: Actor) -> dict[str, list[tuple[int, str]]]:
    """What the portfolio can be filtered by: customers, services and managers."""
    customers = parties.list_parties(session, actor=actor, kind="customer", limit=500).items
    services = catalog.list_services(session, actor=actor, limit=500).items
    managers = identity_repo.users_with_role(session, "service_level_manager")
    return {
        "customers": [(p.id, p.name) for p in customers],
        "services": [(s.id, s.name) for s in services],
        "managers": [(u.id, u.display_name or u.username) for u in managers],
    }
