"""Notification channels and the messages queued on them (an outbox): who is told about
warnings, breaches and availability alerts, how (email or a chat webhook), in which language
and time zone, and whether non-urgent news waits for the channel's service hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

CHANNEL_KINDS = ("email", "webhook", "wecom", "dingtalk", "feishu", "slack")
NOTICE_KINDS = ("warning", "breach", "availability", "burn_rate", "review", "action")
DELIVERY_STATES = ("pending", "sent", "failed")


class NotificationChannel(Timestamped, Versioned, Base):
    """One recipient: an email address or a webhook. ``agreement_id`` / ``party_id`` narrow
    what it hears about (none: every agreement); ``kinds`` lists the notices it wants."""

    __tablename__ = "notification_channel"
    __table_args__ = (CheckConstraint(one_of("kind", CHANNEL_KINDS), name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    address: Mapped[str] = mapped_column(String(1000))  # email address or webhook URL
    # bearer token / signing key, encrypted with the deployment's key (db/sealing.py); text:
    # the ciphertext of 200 characters runs to well over 500
    secret: Mapped[str] = mapped_column(Text, default="")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    kinds: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"notices": [...]}
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), default=None
    )
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), default=None)
    hours_calendar_id: Mapped[int | None] = mapped_column(
        ForeignKey("calendar.id"), default=None
    )  # non-urgent notices wait for the next opening of these hours
    active: Mapped[bool] = mapped_column(default=True)


class Notification(Base):
    """One notice on one channel. ``facts`` hold what happened; the text is written at
    delivery in the channel's language and zone. Unique per channel and ``dedupe_key``:
    nobody is told the same thing twice."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("channel_id", "dedupe_key"),
        CheckConstraint(one_of("kind", NOTICE_KINDS), name="kind_known"),
        CheckConstraint(one_of("status", DELIVERY_STATES), name="status_known"),
        Index(None, "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("notification_channel.id", ondelete="CASCADE")
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), default=None, index=True
    )
    dedupe_key: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(12))
    urgent: Mapped[bool] = mapped_column(default=False)
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column()
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[dt.datetime] = mapped_column()
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
