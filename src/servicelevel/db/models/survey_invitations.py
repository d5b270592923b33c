"""Satisfaction survey invitations (SLM5): who is asked, about which agreement and period or
ticket, by a personal link that works once and expires.

A policy per agreement says when its customer is asked: after each month or quarter (its
contacts and representatives) and/or after resolved tickets (the ticket's requester, where the
ticket names one), with a quiet time so nobody is asked more often than that. An invitation's
``key`` makes the worker's rounds idempotent (the same person is not invited twice for the
same period or ticket). Only a hash of the link's token is stored; the token itself exists in
the mail alone, and a new one is made if a mail has to be sent again.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

SURVEY_EVERY = ("none", "month", "quarter")


class SurveyPolicy(Timestamped, Versioned, Base):
    """When an agreement's customer is asked how satisfied they are."""

    __tablename__ = "survey_policy"
    __table_args__ = (
        CheckConstraint(one_of("every", SURVEY_EVERY), name="every_known"),
        CheckConstraint("scale >= 2 AND scale <= 10", name="scale_range"),
        CheckConstraint("expires_days >= 1 AND expires_days <= 90", name="expiry_range"),
        CheckConstraint("quiet_days >= 0 AND quiet_days <= 365", name="quiet_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), unique=True
    )
    every: Mapped[str] = mapped_column(String(10), default="month")
    after_tickets: Mapped[bool] = mapped_column(default=False)
    scale: Mapped[int] = mapped_column(default=5)
    expires_days: Mapped[int] = mapped_column(default=14)
    quiet_days: Mapped[int] = mapped_column(default=30)
    language: Mapped[str] = mapped_column(String(10), default="en")  # for contacts without one


class SurveyInvitation(Timestamped, Base):
    """One person asked once: by period (``period``) or after a ticket (``ticket_id``)."""

    __tablename__ = "survey_invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("ticket.id", ondelete="SET NULL"), default=None
    )
    period: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None
    )
    language: Mapped[str] = mapped_column(String(10), default="en")
    scale: Mapped[int] = mapped_column(default=5)
    key: Mapped[str] = mapped_column(String(400), unique=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    expires_at: Mapped[dt.datetime] = mapped_column()
    sent_at: Mapped[dt.datetime | None] = mapped_column(default=None, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(String(1000), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_result.id", ondelete="SET NULL"), default=None
    )
