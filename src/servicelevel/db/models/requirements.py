"""Service level requirements (SLM2): what customers ask for, the analysis of each requested
target against the catalog, and the change requests raised where the catalog falls short."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

REQUIREMENT_STATES = ("captured", "analysed", "agreed", "rejected")
CHANGE_STATES = ("open", "accepted", "rejected", "implemented")
DELIVERY_STATES = ("not_configured", "pending", "sent", "failed")


class ServiceLevelRequirement(Timestamped, Versioned, Base):
    __tablename__ = "requirement"
    __table_args__ = (CheckConstraint(one_of("status", REQUIREMENT_STATES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    justification: Mapped[str] = mapped_column(String(4000), default="")
    requester: Mapped[str] = mapped_column(String(200), default="")  # who asked, as they signed
    status: Mapped[str] = mapped_column(String(20), default="captured", index=True)
    analysed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    decided_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    decision_note: Mapped[str] = mapped_column(String(2000), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    targets: Mapped[list[RequestedTarget]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="RequestedTarget.position"
    )


class RequestedTarget(Base):
    """One requested promise and, once analysed, its verdict against the catalog."""

    __tablename__ = "requested_target"
    __table_args__ = (
        CheckConstraint(
            "metric IN ('response', 'resolution', 'availability')", name="metric_known"
        ),
        CheckConstraint("objective > 0 AND objective <= 1", name="objective_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    metric: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(40), default="")
    within: Mapped[str] = mapped_column(String(40), default="")
    objective: Mapped[float] = mapped_column(Float)
    outcome: Mapped[str] = mapped_column(String(20), default="")  # within, exceeds, …
    analysis: Mapped[dict[str, Any]] = mapped_column(default=dict)  # option, gaps


class ChangeRequest(Timestamped, Versioned, Base):
    """A request to change the catalog, raised when a requirement exceeds it; delivered to an
    external change-management system by webhook when one is configured."""

    __tablename__ = "change_request"
    __table_args__ = (
        CheckConstraint(one_of("status", CHANGE_STATES), name="status_known"),
        CheckConstraint(one_of("delivery", DELIVERY_STATES), name="delivery_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        ForeignKey("requirement.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the gaps, as analysed
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    external_ref: Mapped[str] = mapped_column(String(200), default="")
    delivery: Mapped[str] = mapped_column(String(20), default="not_configured", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(1000), default="")
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None)
