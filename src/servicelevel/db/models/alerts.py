"""Alerts and breaches (monitoring): the instants a running clock will cross a warning
threshold or its deadline, computed ahead by recomputation, and the breaches recorded when
a target is missed — with their cause and, when someone decides so, their exclusion."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

ALERT_KINDS = ("warning", "breach")
ALERT_OUTCOMES = ("", "announced", "stale")
BREACH_KINDS = ("ticket", "availability")
BREACH_STATES = ("open", "closed", "withdrawn")


class ClockAlert(Base):
    """When one measured clock crosses one threshold (``breach``: its deadline). Unfired rows
    are rewritten by every recomputation; a fired row stays, so each is announced once."""

    __tablename__ = "clock_alert"
    __table_args__ = (
        UniqueConstraint("agreement_id", "target_key", "ticket_id", "kind", "threshold"),
        CheckConstraint(one_of("kind", ALERT_KINDS), name="kind_known"),
        Index(None, "fired_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column()
    target_key: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    threshold: Mapped[float] = mapped_column(Float)  # a fraction of the budget; 1 for breach
    due_at: Mapped[dt.datetime] = mapped_column()
    fired_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    outcome: Mapped[str] = mapped_column(String(10), default="")


class Breach(Timestamped, Versioned, Base):
    """A missed target: a ticket whose clock ran past its deadline, or an availability target
    below its objective in a period. ``subject`` names which (``ticket:<id>``,
    ``period:<start>``) so one breach is one row however often it is recomputed."""

    __tablename__ = "breach"
    __table_args__ = (
        UniqueConstraint("agreement_id", "target_key", "subject"),
        CheckConstraint(one_of("kind", BREACH_KINDS), name="kind_known"),
        CheckConstraint(one_of("status", BREACH_STATES), name="status_known"),
        Index(None, "agreement_id", "breached_at"),
        # excluded breaches are few among many: reports find them without scanning the rest
        # (the predicate is written as the queries write it, ``excluded IS true``)
        Index(
            "ix_breach_excluded_agreement_id_breached_at",
            "agreement_id",
            "breached_at",
            postgresql_where=text("excluded IS true"),
            sqlite_where=text("excluded IS 1"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column()
    target_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12))
    subject: Mapped[str] = mapped_column(String(80))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="CASCADE"), default=None, index=True
    )
    period_start: Mapped[dt.datetime | None] = mapped_column(default=None)
    period_end: Mapped[dt.datetime | None] = mapped_column(default=None)
    breached_at: Mapped[dt.datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default="open")
    budget_seconds: Mapped[int] = mapped_column(default=0)
    used_seconds: Mapped[int] = mapped_column(default=0)
    overrun_seconds: Mapped[int] = mapped_column(default=0)  # how far past the budget
    objective: Mapped[float | None] = mapped_column(Float, default=None)  # availability
    achieved: Mapped[float | None] = mapped_column(Float, default=None)
    excluded: Mapped[bool] = mapped_column(default=False)
    exclusion_reason: Mapped[str] = mapped_column(String(2000), default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(4000), default="")
