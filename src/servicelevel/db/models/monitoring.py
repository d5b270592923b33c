"""Monitoring: tickets as event timelines, and outages — the operational data targets measure.

A ticket keeps its current state and attributes for lists; its events keep the history the
clocks are computed from (state after each event, what happened, which attributes changed).
Services are named by their catalog code.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicelevel.db.base import Base, Timestamped, Versioned


class Ticket(Timestamped, Versioned, Base):
    __tablename__ = "ticket"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        Index(None, "customer_id", "opened_at"),
        Index(None, "service", "opened_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))  # where it came from: api, servicenow, demo
    external_id: Mapped[str] = mapped_column(String(100))  # its number there
    service: Mapped[str] = mapped_column(String(64))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), default=None)
    priority: Mapped[str] = mapped_column(String(40), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(500), default="")
    opened_at: Mapped[dt.datetime] = mapped_column()
    last_event_at: Mapped[dt.datetime] = mapped_column()
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="TicketEvent.seq",
    )


class TicketEvent(Base):
    """One thing that happened to a ticket; ``state`` is the state after it."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        UniqueConstraint("ticket_id", "seq"),
        UniqueConstraint("ticket_id", "fingerprint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()  # order within the ticket (ties in time keep it)
    at: Mapped[dt.datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(60))
    event: Mapped[str] = mapped_column(String(60), default="")  # created, responded, reopened…
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # attributes set by the event
    # what makes an event the same event when it arrives twice (ingestion is idempotent)
    fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    ticket: Mapped[Ticket] = relationship(back_populates="events", lazy="raise")


class Outage(Timestamped, Base):
    """A span during which a service was down (or, planned, under maintenance)."""

    __tablename__ = "outage"
    __table_args__ = (
        CheckConstraint("ends_at >= starts_at", name="ends_after_start"),
        Index(None, "service", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[dt.datetime] = mapped_column()
    ends_at: Mapped[dt.datetime] = mapped_column()
    planned: Mapped[bool] = mapped_column(default=False)
    title: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(40), default="")
    external_id: Mapped[str] = mapped_column(String(100), default="")


INBOX_STATES = ("queued", "stored", "rejected")


class EventInbox(Base):
    """Ticket events accepted for storing later: a request that only has to be written down
    answers at once, and the worker stores many such requests together through the batch
    path. Each row is one request: stored or rejected as a whole, with the result kept."""

    __tablename__ = "event_inbox"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'stored', 'rejected')", name="status_known"),
        Index(None, "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    events: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"items": [...]}, as sent
    received_at: Mapped[dt.datetime] = mapped_column()
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    processed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
