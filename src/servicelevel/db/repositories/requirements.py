"""Queries about service level requirements and change requests."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from servicelevel.db.models import ChangeRequest, ServiceLevelRequirement
from servicelevel.db.repositories.common import Page, paginate


def requirement_by_id(session: Session, requirement_id: int) -> ServiceLevelRequirement | None:
    query = (
        select(ServiceLevelRequirement)
        .where(ServiceLevelRequirement.id == requirement_id)
        .options(selectinload(ServiceLevelRequirement.targets))
    )
    return session.scalars(query).one_or_none()


def requirement_by_code(session: Session, code: str) -> ServiceLevelRequirement | None:
    query = select(ServiceLevelRequirement).where(ServiceLevelRequirement.code == code)
    return session.scalars(query).one_or_none()


def list_requirements(
    session: Session,
    *,
    status: str | None,
    service_id: int | None,
    customer_id: int | None,
    search: str | None,
    only: Collection[int] | None,
    with_targets: bool,
    offset: int,
    limit: int,
) -> Page[ServiceLevelRequirement]:
    model = ServiceLevelRequirement
    query = select(model).order_by(model.created_at.desc(), model.id.desc())
    if with_targets:
        query = query.options(selectinload(model.targets))
    if status:
        query = query.where(model.status == status)
    if service_id is not None:
        query = query.where(model.service_id == service_id)
    if customer_id is not None:
        query = query.where(model.customer_id == customer_id)
    if search:
        like = f"%{search}%"
        query = query.where(or_(model.code.ilike(like), model.title.ilike(like)))
    if only is not None:
        query = query.where(model.customer_id.in_(list(only)))
    return paginate(session, query, offset, limit)


def change_requests_of(session: Session, requirement_ids: Collection[int]) -> list[ChangeRequest]:
    query = (
        select(ChangeRequest)
        .where(ChangeRequest.requirement_id.in_(list(requirement_ids)))
        .order_by(ChangeRequest.id)
    )
    return list(session.scalars(query))


def change_request_by_id(session: Session, change_id: int) -> ChangeRequest | None:
    return session.get(ChangeRequest, change_id)


def list_change_requests(
    session: Session,
    *,
    status: str | None,
    only_customers: Collection[int] | None,
    offset: int,
    limit: int,
) -> Page[ChangeRequest]:
    query = select(ChangeRequest).order_by(ChangeRequest.id.desc())
    if status:
        query = query.where(ChangeRequest.status == status)
    if only_customers is not None:
        mine = select(ServiceLevelRequirement.id).where(
            ServiceLevelRequirement.customer_id.in_(list(only_customers))
        )
        query = query.where(ChangeRequest.requirement_id.in_(mine))
    return paginate(session, query, offset, limit)


def pending_deliveries(session: Session, limit: int = 100) -> list[ChangeRequest]:
    query = (
        select(ChangeRequest)
        .where(ChangeRequest.delivery == "pending")
        .order_by(ChangeRequest.id)
        .limit(limit)
    )
    return list(session.scalars(query))
