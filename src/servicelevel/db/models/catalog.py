"""The service catalog: services in the customer's language, the service level options they
offer, their service hours, owners and dependencies, and their publication lifecycle."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

SERVICE_STATES = ("draft", "approved", "published", "retired")
METRICS = ("response", "resolution", "availability")


class Service(Timestamped, Versioned, Base):
    """A service as the customer knows it, with the options the provider can offer for it."""

    __tablename__ = "service"
    __table_args__ = (CheckConstraint(one_of("status", SERVICE_STATES), name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)  # per language
    description: Mapped[str] = mapped_column(String(4000), default="")
    descriptions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    category: Mapped[str] = mapped_column(String(100), default="", index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("calendar.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    approved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    retired_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    options: Mapped[list[ServiceOption]] = relationship(
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="ServiceOption.rank",
        back_populates="service",
    )
    dependencies: Mapped[list[ServiceDependency]] = relationship(
        lazy="raise", cascade="all, delete-orphan", back_populates="service"
    )


class ServiceOption(Base):
    """A service level option offered for a service (Gold, Silver…): a set of targets the
    provider knows it can achieve."""

    __tablename__ = "service_option"
    __table_args__ = (UniqueConstraint("service_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)
    rank: Mapped[int] = mapped_column(default=0)
    service: Mapped[Service] = relationship(back_populates="options", lazy="raise")
    targets: Mapped[list[OfferedTarget]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="OfferedTarget.id"
    )


class OfferedTarget(Base):
    """One achievable promise of an option: "P1 resolved within 4h, 95 %", "99.9 % available".

    ``priority`` empty means every priority; ``within`` is a duration text (empty for
    availability, whose promise is the objective alone)."""

    __tablename__ = "offered_target"
    __table_args__ = (
        CheckConstraint(one_of("metric", METRICS), name="metric_known"),
        CheckConstraint("objective > 0 AND objective <= 1", name="objective_fraction"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int] = mapped_column(
        ForeignKey("service_option.id", ondelete="CASCADE"), index=True
    )
    metric: Mapped[str] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(40), default="")
    within: Mapped[str] = mapped_column(String(40), default="")
    objective: Mapped[float] = mapped_column(Float)


class ServiceDependency(Base):
    """An internal team or supplier the service relies on (so an OLA or UC should cover it)."""

    __tablename__ = "service_dependency"
    __table_args__ = (UniqueConstraint("service_id", "party_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    description: Mapped[str] = mapped_column(String(500), default="")
    service: Mapped[Service] = relationship(back_populates="dependencies", lazy="raise")
