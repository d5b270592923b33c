"""Rendered report files kept in the database (so a backup keeps them): the PDF of each
published report, rendered once and served from here ever after, and the PDF of a live report
a person asked the worker to render (it is theirs to download)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, utcnow


class ReportFile(Base):
    __tablename__ = "report_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    # the published report it renders (one file each), or none for a live report's file
    report_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_report.id", ondelete="CASCADE"), unique=True, default=None
    )
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    language: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))  # the file name offered on download
    media_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    # loaded only when the file is served: lists of files never read the bytes
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
