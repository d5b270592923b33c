"""Standard document templates (SLM1): SLA, OLA, UC and service report documents, kept by the
service level manager, in Markdown with placeholders for parties, services, targets, calendars
and clauses."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned

TEMPLATE_KINDS = ("SLA", "OLA", "UC", "report")
LANGUAGES = ("en", "zh-Hans", "zh-Hant")


class DocumentTemplate(Timestamped, Versioned, Base):
    __tablename__ = "document_template"
    __table_args__ = (
        CheckConstraint("kind IN ('SLA', 'OLA', 'UC', 'report')", name="kind_known"),
        CheckConstraint("language IN ('en', 'zh-Hans', 'zh-Hant')", name="language_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(10), index=True)
    language: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown with {{ placeholders }}
    is_default: Mapped[bool] = mapped_column(default=False)  # for its kind and language
