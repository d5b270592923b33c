"""Queries about notification channels and the notifications queued on them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import Notification, NotificationChannel
from servicelevel.db.repositories.common import Page, paginate


def channels(session: Session) -> list[NotificationChannel]:
    return list(session.scalars(select(NotificationChannel).order_by(NotificationChannel.name)))


def channel_by_id(session: Session, channel_id: int) -> NotificationChannel | None:
    return session.get(NotificationChannel, channel_id)


def channel_named(session: Session, name: str) -> NotificationChannel | None:
    return session.scalar(select(NotificationChannel).where(NotificationChannel.name == name))


def listening(session: Session, agreement_id: int, party_id: int) -> list[NotificationChannel]:
    """Active channels that hear about this agreement (its own, its party's, or all)."""
    query = select(NotificationChannel).where(
        NotificationChannel.active.is_(True),
        or_(
            NotificationChannel.agreement_id.is_(None),
            NotificationChannel.agreement_id == agreement_id,
        ),
        or_(NotificationChannel.party_id.is_(None), NotificationChannel.party_id == party_id),
    )
    return list(session.scalars(query.order_by(NotificationChannel.id)))


def existing_keys(session: Session, channel_ids: list[int], key: str) -> set[int]:
    query = select(Notification.channel_id).where(
        Notification.channel_id.in_(channel_ids), Notification.dedupe_key == key
    )
    return {int(c) for c in session.scalars(query)}


def due(session: Session, now: dt.datetime, limit: int) -> list[Notification]:
    """Pending notifications whose time has come; locked so that workers share them."""
    query = (
        select(Notification)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.scalars(query))


def list_notifications(
    session: Session,
    *,
    agreements: list[int] | None,
    channel_id: int | None,
    status: str | None,
    offset: int,
    limit: int,
) -> Page[Notification]:
    query = select(Notification)
    if agreements is not None:
        query = query.where(Notification.agreement_id.in_(agreements))
    if channel_id is not None:
        query = query.where(Notification.channel_id == channel_id)
    if status:
        query = query.where(Notification.status == status)
    return paginate(session, query.order_by(Notification.id.desc()), offset, limit)


def notification_by_id(session: Session, notification_id: int) -> Notification | None:
    return session.get(Notification, notification_id)
