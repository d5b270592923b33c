"""Measurements: the state of every target's clock for every ticket it covers, under the
agreement version in force when the ticket started — kept current by recomputation jobs."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base

MEASUREMENT_STATES = ("pending", "running", "paused", "met", "breached", "cancelled")


class Measurement(Base):
    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("agreement_id", "target_key", "ticket_id"),
        Index(None, "agreement_id", "status"),
        # the period's figures (counts by target and status, a trend of twelve months) are
        # read from this index alone, without visiting the rows (migration 0017)
        Index(None, "agreement_id", "counted_at", "target_key", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    version_number: Mapped[int] = mapped_column()
    target_key: Mapped[str] = mapped_column(String(64))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("ticket.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    used_seconds: Mapped[int] = mapped_column()
    paused_seconds: Mapped[int] = mapped_column()
    budget_seconds: Mapped[int] = mapped_column()
    started_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    stopped_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    deadline: Mapped[dt.datetime | None] = mapped_column(default=None)
    breached_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # the instant that places the measurement in a period (engine ``reporting_instants``):
    # stopped, else breached while running, else started; indexed for period queries
    counted_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    computed_at: Mapped[dt.datetime] = mapped_column()
