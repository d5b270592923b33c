"""Reporting: published service reports. A published report is a snapshot — its figures and
its rendering never change, even when the data behind them is recomputed; a new revision can
be issued, and every revision stays retrievable."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped


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
