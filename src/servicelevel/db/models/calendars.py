"""Calendars (service hours) stored in the documented calendar format (docs/formats.md).

The definition is kept as the same document a calendar file holds, so that files and the
database cannot drift apart: one reader (``definitions.calendars``) turns either into a spec.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned


class CalendarRecord(Timestamped, Versioned, Base):
    __tablename__ = "calendar"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column()
