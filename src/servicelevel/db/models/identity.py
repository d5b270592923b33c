"""Users, their roles, and personal API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

ROLES = (
    "process_owner",
    "service_level_manager",
    "service_level_administrator",
    "customer_representative",
    "supplier_representative",
    "internal_team_member",
    "viewer",
)


class User(Timestamped, Versioned, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320), default="")
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Browser sessions carry it; signing out or a new password moves it on (sessions end).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    roles: Mapped[list[RoleAssignment]] = relationship(
        back_populates="user", lazy="raise", cascade="all, delete-orphan"
    )


class RoleAssignment(Timestamped, Base):
    """A role held by a user; representatives' and team members' roles name their party."""

    __tablename__ = "role_assignment"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "party_id"),
        CheckConstraint(one_of("role", ROLES), name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(40))
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), default=None)
    user: Mapped[User] = relationship(back_populates="roles", lazy="raise")


class ApiToken(Timestamped, Base):
    """A personal token for machines: only its hash is stored; revocable and expiring."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(default=None)
