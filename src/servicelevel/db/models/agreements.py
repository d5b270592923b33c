"""Agreements: SLAs with customers, OLAs with internal teams, UCs with suppliers.

An agreement is negotiated as a series of versions. A version holds everything measurable —
term, covered services, calendars, clocks, targets, credit clauses — and never changes once it
is signed: a change is a new version. Measurements use the version in force when a ticket
started (``in_force_from``). SLAs are underpinned by the OLAs and UCs that support them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

AGREEMENT_KINDS = ("SLA", "OLA", "UC")
AGREEMENT_STATES = (
    "draft", "in_negotiation", "approved", "signed", "active", "expiring", "expired", "terminated",
    "renewed",
)  # fmt: skip
VERSION_STATES = ("draft", "proposed", "approved", "signed", "in_force", "superseded", "withdrawn")
REVIEW_FREQUENCIES = ("monthly", "quarterly", "half_yearly", "yearly")
SIDES = ("provider", "counterparty")


class Agreement(Timestamped, Versioned, Base):
    __tablename__ = "agreement"
    __table_args__ = (
        CheckConstraint(one_of("kind", AGREEMENT_KINDS), name="kind_known"),
        CheckConstraint(one_of("status", AGREEMENT_STATES), name="status_known"),
        CheckConstraint(one_of("review_frequency", REVIEW_FREQUENCIES), name="review_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(3), index=True)
    title: Mapped[str] = mapped_column(String(300))
    titles: Mapped[dict[str, Any]] = mapped_column(default=dict)
    provider: Mapped[str] = mapped_column(String(200), default="")
    counterparty_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    review_frequency: Mapped[str] = mapped_column(String(20), default="yearly")
    notice_days: Mapped[int] = mapped_column(default=60)  # "expiring" this long before the end
    terminated_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    termination_reason: Mapped[str] = mapped_column(String(2000), default="")
    renewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("agreement.id"), default=None)
    versions: Mapped[list[AgreementVersion]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="AgreementVersion.number",
        back_populates="agreement",
    )


class AgreementVersion(Timestamped, Versioned, Base):
    """One version of an agreement's content; frozen from the moment it is signed."""

    __tablename__ = "agreement_version"
    __table_args__ = (
        UniqueConstraint("agreement_id", "number"),
        CheckConstraint(one_of("state", VERSION_STATES), name="state_known"),
        CheckConstraint("term_end IS NULL OR term_start IS NULL OR term_end >= term_start",
                        name="term_ordered"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    state: Mapped[str] = mapped_column(String(20), default="draft")
    note: Mapped[str] = mapped_column(String(2000), default="")  # what changed, and why
    term_start: Mapped[dt.date | None] = mapped_column(Date, default=None)
    term_end: Mapped[dt.date | None] = mapped_column(Date, default=None)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    fee_amount: Mapped[float | None] = mapped_column(Float, default=None)
    fee_currency: Mapped[str] = mapped_column(String(8), default="")
    fee_per: Mapped[str] = mapped_column(String(10), default="month")
    credit_cap: Mapped[float | None] = mapped_column(Float, default=None)
    clocks: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the file format's clocks
    responsibilities: Mapped[dict[str, Any]] = mapped_column(default=dict)
    escalation: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"levels": [...]}
    description: Mapped[str] = mapped_column(String(4000), default="")
    approved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    signed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    in_force_from: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    in_force_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    agreement: Mapped[Agreement] = relationship(back_populates="versions", lazy="raise")
    services: Mapped[list[CoveredService]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CoveredService.id"
    )
    calendars: Mapped[list[AgreementCalendar]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AgreementCalendar.id"
    )
    targets: Mapped[list[AgreementTarget]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="AgreementTarget.position"
    )
    credits: Mapped[list[CreditClause]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="CreditClause.position"
    )
    signatures: Mapped[list[Signature]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="Signature.signed_at"
    )


class CoveredService(Base):
    __tablename__ = "agreement_service"
    __table_args__ = (UniqueConstraint("version_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)


class AgreementCalendar(Base):
    """A calendar the version's targets name by ``key``: a stored calendar, or 24×7 (null)."""

    __tablename__ = "agreement_calendar"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendar.id"), default=None)


class AgreementTarget(Base):
    """A measurable target: a ticket target (clock, selector, budget) or an availability one."""

    __tablename__ = "agreement_target"
    __table_args__ = (
        UniqueConstraint("version_id", "key"),
        CheckConstraint("kind IN ('ticket', 'availability')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20), default="ticket")
    name: Mapped[str] = mapped_column(String(300), default="")
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    clock: Mapped[str] = mapped_column(String(64), default="")
    selector: Mapped[dict[str, Any]] = mapped_column(default=dict)  # attribute → values
    within: Mapped[str] = mapped_column(String(40), default="")
    calendar_key: Mapped[str] = mapped_column(String(64))
    objective: Mapped[float | None] = mapped_column(Float, default=None)
    warnings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"at": [0.5, 0.75]}
    service_code: Mapped[str] = mapped_column(String(64), default="")  # availability targets
    # a team: the clock runs only while it holds the ticket (an OLA's, engine.holding)
    held_by: Mapped[str] = mapped_column(String(200), default="", server_default="")


class CreditClause(Base):
    """Compensation when a target is missed: tiers by achieved level, or an amount per breach."""

    __tablename__ = "credit_clause"
    __table_args__ = (UniqueConstraint("version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(64))
    target_key: Mapped[str] = mapped_column(String(64))
    tiers: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"tiers": [[below, credit]]}
    per_breach: Mapped[float] = mapped_column(Float, default=0.0)
    cap: Mapped[float | None] = mapped_column(Float, default=None)
    description: Mapped[str] = mapped_column(String(2000), default="")


class Signature(Base):
    """Who signed a version for which side, in which role, when."""

    __tablename__ = "signature"
    __table_args__ = (
        UniqueConstraint("version_id", "side"),
        CheckConstraint(one_of("side", SIDES), name="side_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    signed_as: Mapped[str] = mapped_column(String(40))  # the role the signer held
    name: Mapped[str] = mapped_column(String(200), default="")  # as written at signing
    signed_at: Mapped[dt.datetime] = mapped_column()


class AgreementComment(Timestamped, Base):
    """A negotiation comment on a clause of a version (``clause``: "targets.P1-resolution")."""

    __tablename__ = "agreement_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_version.id", ondelete="CASCADE"), index=True
    )
    clause: Mapped[str] = mapped_column(String(200), default="")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    body: Mapped[str] = mapped_column(String(4000))


class Underpinning(Timestamped, Base):
    """An OLA or UC that supports an SLA."""

    __tablename__ = "underpinning"
    __table_args__ = (
        UniqueConstraint("sla_id", "supporting_id"),
        CheckConstraint("sla_id <> supporting_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sla_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    supporting_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
