"""Queries about agreements, their versions and underpinning links."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, inspect, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.strategy_options import _AbstractLoad
from sqlalchemy.orm.util import identity_key

from servicelevel.db.models import (
    Agreement,
    AgreementComment,
    AgreementVersion,
    CalendarRecord,
    CoveredService,
    Party,
    Service,
    Underpinning,
)
from servicelevel.db.repositories.common import Page, paginate


def version_children() -> tuple[_AbstractLoad, ...]:
    return (
        selectinload(AgreementVersion.services),
        selectinload(AgreementVersion.calendars),
        selectinload(AgreementVersion.targets),
        selectinload(AgreementVersion.credits),
        selectinload(AgreementVersion.signatures),
    )


def agreement_by_id(session: Session, agreement_id: int) -> Agreement | None:
    known = loaded_agreement(session, agreement_id)
    if known is not None:
        return known
    query = (
        select(Agreement)
        .where(Agreement.id == agreement_id)
        .options(selectinload(Agreement.versions).options(*version_children()))
    )
    return session.scalars(query).one_or_none()


VERSION_CHILDREN = frozenset({"services", "calendars", "targets", "credits", "signatures"})


def loaded_agreement(session: Session, agreement_id: int) -> Agreement | None:
    """The agreement as this session already holds it, versions and their children loaded, or
    None. Loading it again would return these same objects unchanged (a query does not
    overwrite what the session holds), so one page that asks for it from six places reads it
    once: it was 42 of the agreement page's 72 queries."""
    found = session.identity_map.get(identity_key(Agreement, agreement_id))
    if not isinstance(found, Agreement):
        return None
    state = inspect(found)
    if state.expired_attributes or "versions" in state.unloaded:
        return None
    if any(inspect(v).unloaded & VERSION_CHILDREN for v in found.versions):
        return None
    return found


def agreement_by_code(session: Session, code: str) -> Agreement | None:
    query = (
        select(Agreement)
        .where(Agreement.code == code)
        .options(selectinload(Agreement.versions).options(*version_children()))
    )
    return session.scalars(query).one_or_none()


def agreements_by_ids(session: Session, ids: Collection[int]) -> list[Agreement]:
    """The agreements with these ids, by code, versions loaded; those the session holds
    loaded already are not read again (see :func:`loaded_agreement`)."""
    known = [a for a in (loaded_agreement(session, i) for i in set(ids)) if a is not None]
    missing = set(ids) - {a.id for a in known}
    if missing:
        query = (
            select(Agreement)
            .where(Agreement.id.in_(list(missing)))
            .options(selectinload(Agreement.versions).options(*version_children()))
        )
        known += session.scalars(query)
    return sorted(known, key=lambda a: a.code)


def list_agreements(
    session: Session,
    *,
    kind: str | None,
    status: str | None,
    counterparty_id: int | None,
    service_id: int | None,
    search: str | None,
    only: Collection[int] | None,
    offset: int,
    limit: int,
) -> Page[Agreement]:
    query = select(Agreement).order_by(Agreement.code)
    if kind:
        query = query.where(Agreement.kind == kind)
    if status:
        query = query.where(Agreement.status == status)
    if counterparty_id is not None:
        query = query.where(Agreement.counterparty_id == counterparty_id)
    if service_id is not None:
        covered = (
            select(AgreementVersion.agreement_id)
            .join(CoveredService, CoveredService.version_id == AgreementVersion.id)
            .where(CoveredService.service_id == service_id)
        )
        query = query.where(Agreement.id.in_(covered))
    if search:
        like = f"%{search}%"
        query = query.where(or_(Agreement.code.ilike(like), Agreement.title.ilike(like)))
    if only is not None:
        query = query.where(Agreement.counterparty_id.in_(list(only)))
    return paginate(session, query, offset, limit)


def comments_of(session: Session, version_ids: Collection[int]) -> list[AgreementComment]:
    query = (
        select(AgreementComment)
        .where(AgreementComment.version_id.in_(list(version_ids)))
        .order_by(AgreementComment.created_at, AgreementComment.id)
    )
    return list(session.scalars(query))


def supporting_ids(session: Session, sla_id: int) -> list[int]:
    query = select(Underpinning.supporting_id).where(Underpinning.sla_id == sla_id)
    return [int(i) for i in session.scalars(query)]


def supported_ids(session: Session, supporting_id: int) -> list[int]:
    query = select(Underpinning.sla_id).where(Underpinning.supporting_id == supporting_id)
    return [int(i) for i in session.scalars(query)]


def link(session: Session, sla_id: int, supporting_id: int) -> Underpinning | None:
    query = select(Underpinning).where(
        Underpinning.sla_id == sla_id, Underpinning.supporting_id == supporting_id
    )
    return session.scalars(query).one_or_none()


def all_links(session: Session) -> list[tuple[int, int]]:
    rows = session.execute(select(Underpinning.sla_id, Underpinning.supporting_id))
    return [(int(a), int(b)) for a, b in rows]


def codes(
    session: Session, party_ids: set[int], service_ids: set[int], calendar_ids: set[int]
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Codes of parties, services and calendars by id, in three queries."""

    def by_id(
        model: type[Party] | type[Service] | type[CalendarRecord], ids: set[int]
    ) -> dict[int, str]:
        if not ids:
            return {}
        rows = session.execute(select(model.id, model.code).where(model.id.in_(ids)))
        return {int(i): str(c) for i, c in rows}

    return by_id(Party, party_ids), by_id(Service, service_ids), by_id(CalendarRecord, calendar_ids)


def count_by_status(session: Session) -> dict[str, int]:
    rows = session.execute(select(Agreement.status, func.count()).group_by(Agreement.status))
    return {str(s): int(n) for s, n in rows}


def services_in_operation(session: Session, service_ids: Collection[int] | None) -> set[int]:
    """Services covered by the version in force of an active (or expiring) SLA (of those in
    ``service_ids``; None: of all services)."""
    query = (
        select(CoveredService.service_id)
        .join(AgreementVersion, AgreementVersion.id == CoveredService.version_id)
        .join(Agreement, Agreement.id == AgreementVersion.agreement_id)
        .where(
            AgreementVersion.state == "in_force",
            Agreement.kind == "SLA",
            Agreement.status.in_(("active", "expiring")),
        )
    )
    if service_ids is not None:
        query = query.where(CoveredService.service_id.in_(list(service_ids)))
    return {int(i) for i in session.scalars(query)}


def agreements_in_force(session: Session) -> list[Agreement]:
    """Agreements with a version in force that have not ended, versions loaded."""
    query = (
        select(Agreement)
        .where(Agreement.status.in_(("active", "expiring", "signed")))
        .options(selectinload(Agreement.versions).options(*version_children()))
        .order_by(Agreement.code)
    )
    return list(session.scalars(query))


def in_force_covering(session: Session, services: Collection[str]) -> list[int]:
    """Agreements with a version in force covering any of these service codes."""
    query = (
        select(AgreementVersion.agreement_id)
        .join(CoveredService, CoveredService.version_id == AgreementVersion.id)
        .join(Service, Service.id == CoveredService.service_id)
        .where(Service.code.in_(list(services)), AgreementVersion.in_force_from.is_not(None))
        .distinct()
    )
    return sorted(int(i) for i in session.scalars(query))


def ids_of_parties(session: Session, parties: Collection[int]) -> list[int]:
    """The agreements whose counterparty is one of ``parties`` (what a representative sees)."""
    query = select(Agreement.id).where(Agreement.counterparty_id.in_(list(parties)))
    return [int(i) for i in session.scalars(query)]


def heads(session: Session, ids: Collection[int]) -> dict[int, tuple[str, str, int]]:
    """``id → (code, title, counterparty)`` without loading versions."""
    query = select(Agreement.id, Agreement.code, Agreement.title, Agreement.counterparty_id)
    rows = session.execute(query.where(Agreement.id.in_(list(ids))))
    return {int(i): (str(c), str(t), int(p)) for i, c, t, p in rows}
