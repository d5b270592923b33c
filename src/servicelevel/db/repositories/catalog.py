"""Queries about the service catalog and the SLM work list."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from servicelevel.db.models import Party, Service, ServiceOption, User, WorkItem
from servicelevel.db.repositories.common import Page, paginate


def _with_children() -> tuple[LoaderOption, ...]:
    return (
        selectinload(Service.options).selectinload(ServiceOption.targets),
        selectinload(Service.dependencies),
    )


def service_by_id(session: Session, service_id: int) -> Service | None:
    query = select(Service).where(Service.id == service_id).options(*_with_children())
    return session.scalars(query).one_or_none()


def service_by_code(session: Session, code: str) -> Service | None:
    return session.scalars(select(Service).where(Service.code == code)).one_or_none()


def services_by_codes(session: Session, codes: list[str]) -> list[Service]:
    return list(session.scalars(select(Service).where(Service.code.in_(codes))))


def list_services(
    session: Session,
    *,
    status: str | None,
    statuses: tuple[str, ...] | None,
    category: str | None,
    search: str | None,
    offset: int,
    limit: int,
) -> Page[Service]:
    query = select(Service).order_by(Service.code)
    if status:
        query = query.where(Service.status == status)
    if statuses is not None:
        query = query.where(Service.status.in_(statuses))
    if category:
        query = query.where(Service.category == category)
    if search:
        like = f"%{search}%"
        query = query.where(or_(Service.code.ilike(like), Service.name.ilike(like)))
    return paginate(session, query, offset, limit)


def published_with_options(session: Session) -> list[Service]:
    """The published catalog, options and targets loaded, for the customer-facing page."""
    query = (
        select(Service)
        .where(Service.status == "published")
        .order_by(Service.category, Service.code)
        .options(*_with_children())
    )
    return list(session.scalars(query))


def open_work_item(session: Session, kind: str, service_id: int) -> WorkItem | None:
    query = select(WorkItem).where(
        WorkItem.kind == kind, WorkItem.service_id == service_id, WorkItem.status == "open"
    )
    return session.scalars(query.limit(1)).one_or_none()


def open_agreement_item(session: Session, kind: str, agreement_id: int) -> WorkItem | None:
    query = select(WorkItem).where(
        WorkItem.kind == kind, WorkItem.agreement_id == agreement_id, WorkItem.status == "open"
    )
    return session.scalars(query.limit(1)).one_or_none()


def work_item_by_id(session: Session, item_id: int) -> WorkItem | None:
    return session.get(WorkItem, item_id)


def list_work_items(
    session: Session,
    *,
    status: str | None,
    service_id: int | None,
    offset: int,
    limit: int,
    covered: Collection[int] = (),
) -> Page[WorkItem]:
    """Work items, newest first. An open "define the SLA" item of a service in ``covered`` (an
    SLA covering it is in operation) counts as done: the SLA it asked for exists."""
    query = select(WorkItem).order_by(WorkItem.created_at.desc(), WorkItem.id.desc())
    settled = settled_work(covered)
    if status == "open":
        query = query.where(WorkItem.status == "open", ~settled)
    elif status == "done":
        query = query.where(or_(WorkItem.status == "done", settled))
    elif status:
        query = query.where(WorkItem.status == status)
    if service_id is not None:
        query = query.where(WorkItem.service_id == service_id)
    return paginate(session, query, offset, limit)


def settled_work(covered: Collection[int]) -> ColumnElement[bool]:
    """Open "define the SLA" items of the ``covered`` services (see :func:`list_work_items`)."""
    return and_(
        WorkItem.status == "open",
        WorkItem.kind == "define_sla",
        WorkItem.service_id.in_(list(covered)),
    )


def count_open_work(session: Session) -> int:
    return int(session.scalar(select(func.count()).where(WorkItem.status == "open")) or 0)


def usernames(session: Session, user_ids: set[int]) -> dict[int, str]:
    rows = session.execute(select(User.id, User.username).where(User.id.in_(user_ids)))
    return {int(i): str(n) for i, n in rows}


def parties_by_ids(session: Session, party_ids: set[int]) -> list[Party]:
    return list(session.scalars(select(Party).where(Party.id.in_(party_ids)).order_by(Party.code)))


def services_by_ids(session: Session, ids: list[int]) -> list[Service]:
    return list(session.scalars(select(Service).where(Service.id.in_(ids))))
