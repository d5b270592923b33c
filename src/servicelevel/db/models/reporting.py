"""Reporting: published service reports. A published report is a snapshot — its figures and
its rendering never change, even when the data behind them is recomputed; a new revision can
be issued, and every revision stays retrievable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned


class ServiceReport(Timestamped, Base):
    __tablename__ = "service_report"
    __table_args__ = (UniqueConstraint("agreement_id", "period", "language", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(40))  # the period's label: 2026-03, 2026-Q1…
    language: Mapped[str] = mapped_column(String(10))
    revision: Mapped[int] = mapped_column()
    version_number: Mapped[int] = mapped_column()  # the agreement version it reports on
    figures: Mapped[dict[str, Any]] = mapped_column(default=dict)  # as shown, for spreadsheets
    html: Mapped[str] = mapped_column(Text)  # the rendering, kept as published
    note: Mapped[str] = mapped_column(String(2000), default="")
    published_at: Mapped[dt.datetime] = mapped_column()
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)


class ReportSchedule(Timestamped, Versioned, Base):
    """Publish and send an agreement's report on the Nth working day of each month (in one of
    the agreement's calendars) for the month before, to its distribution list."""

    __tablename__ = "report_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(10), default="en")
    working_day: Mapped[int] = mapped_column(default=3)
    calendar_key: Mapped[str] = mapped_column(String(64), default="")
    recipients: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"emails": [...]}
    next_run_at: Mapped[dt.datetime] = mapped_column(index=True)
    last_run_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(default=True)


class ReportDelivery(Base):
    """One scheduled run: the report it published and whether the mail went out."""

    __tablename__ = "report_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("report_schedule.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_report.id", ondelete="SET NULL"), default=None
    )
    period: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))  # sent, failed
    recipients: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str] = mapped_column(String(1000), default="")
    attempted_at: Mapped[dt.datetime] = mapped_column()
