"""Parties: the provider's customers, internal teams and suppliers, and their contacts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicelevel.db.base import Base, Timestamped, Versioned

PARTY_KINDS = ("customer", "internal_team", "supplier")


class Party(Timestamped, Versioned, Base):
    """A customer (SLA), an internal team (OLA) or a supplier (UC)."""

    __tablename__ = "party"
    __table_args__ = (
        CheckConstraint("kind IN ('customer', 'internal_team', 'supplier')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    names: Mapped[dict[str, Any]] = mapped_column(default=dict)  # per language: en, zh-Hans…
    description: Mapped[str] = mapped_column(String(2000), default="")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="party", lazy="raise", cascade="all, delete-orphan"
    )


class Contact(Timestamped, Versioned, Base):
    """A person at a party: escalation contact, representative, distribution list member."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    party: Mapped[Party] = relationship(back_populates="contacts", lazy="raise")
