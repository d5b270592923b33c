"""Reviews and improvement (SLM5): the periodic review register, improvement plans (SIP) with
their actions, and customer satisfaction survey results.

A review meeting belongs to one agreement and looks back over a period (``[period_start,
period_end)``, whole months in the agreement's zone). Its agenda is filled from the data of
that period and kept as it stood when the meeting was held, like a published report.
Actions are owned by a meeting (decided there) or by a plan; both kinds are tracked the same
way, with an owner, a due date and a status.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, Date, Float, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

MEETING_STATES = ("scheduled", "held", "cancelled")
OUTCOMES = ("", "on_track", "improve", "revise", "terminate")
PARTICIPANT_ROLES = (
    "service_level_manager",
    "service_level_administrator",
    "incident_manager",
    "problem_manager",
    "customer_representative",
    "supplier_representative",
    "team_representative",
    "other",
)
ACTION_STATES = ("open", "done", "cancelled")
PLAN_STATES = ("proposed", "active", "completed", "cancelled")
PLAN_ORIGINS = ("review", "breach_trend", "problem", "survey", "other")


class ReviewMeeting(Timestamped, Versioned, Base):
    """One entry of the review register (服务级别协议定期评审登记表)."""

    __tablename__ = "review_meeting"
    __table_args__ = (
        CheckConstraint(one_of("status", MEETING_STATES), name="status_known"),
        CheckConstraint(one_of("outcome", OUTCOMES), name="outcome_known"),
        # one upcoming review per agreement: two workers cannot both schedule it
        Index(
            "uq_review_meeting_one_scheduled",
            "agreement_id",
            unique=True,
            sqlite_where=text("status = 'scheduled'"),
            postgresql_where=text("status = 'scheduled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # exclusive
    scheduled_at: Mapped[dt.datetime] = mapped_column(index=True)
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    location: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(20), default="scheduled", index=True)
    agenda: Mapped[dict[str, Any]] = mapped_column(default=dict)
    minutes: Mapped[str] = mapped_column(Text, default="")
    decisions: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"items": [...]}
    outcome: Mapped[str] = mapped_column(String(20), default="")
    held_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    reminded_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(2000), default="")  # e.g. why it was cancelled


class ReviewParticipant(Base):
    """Who is invited to a meeting, in which role, and whether they came."""

    __tablename__ = "review_participant"
    __table_args__ = (CheckConstraint(one_of("role", PARTICIPANT_ROLES), name="role_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("review_meeting.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"), default=None)
    attended: Mapped[bool | None] = mapped_column(default=None)


class ImprovementPlan(Timestamped, Versioned, Base):
    """A service improvement plan (SIP, 服务改进计划): a goal, where it came from, and the
    actions that reach it. ``starts_on`` splits "before" from "after" in effect tracking."""

    __tablename__ = "improvement_plan"
    __table_args__ = (
        CheckConstraint(one_of("status", PLAN_STATES), name="status_known"),
        CheckConstraint(one_of("origin", PLAN_ORIGINS), name="origin_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    goal: Mapped[str] = mapped_column(Text, default="")
    origin: Mapped[str] = mapped_column(String(20))
    origin_note: Mapped[str] = mapped_column(String(500), default="")  # e.g. a problem record
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_meeting.id", ondelete="SET NULL"), default=None, index=True
    )
    survey_id: Mapped[int | None] = mapped_column(
        ForeignKey("survey_result.id", ondelete="SET NULL"), default=None
    )
    status: Mapped[str] = mapped_column(String(20), default="proposed", index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    starts_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    due_on: Mapped[dt.date | None] = mapped_column(Date, default=None)
    completed_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class PlanGoal(Base):
    """What a plan aims to improve: an agreement's target, a whole agreement, or a service."""

    __tablename__ = "plan_goal"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("improvement_plan.id", ondelete="CASCADE"), index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), default=None, index=True
    )
    target_key: Mapped[str] = mapped_column(String(64), default="")
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), default=None
    )


class ImprovementAction(Timestamped, Versioned, Base):
    """An action decided in a review or planned in a SIP: who does what by when."""

    __tablename__ = "improvement_action"
    __table_args__ = (
        CheckConstraint(one_of("status", ACTION_STATES), name="status_known"),
        CheckConstraint(
            "(meeting_id IS NOT NULL) OR (plan_id IS NOT NULL)", name="belongs_somewhere"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("review_meeting.id", ondelete="CASCADE"), default=None, index=True
    )
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("improvement_plan.id", ondelete="CASCADE"), default=None, index=True
    )
    title: Mapped[str] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    owner_name: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(2000), default="")
    overdue_notified_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class SurveyResult(Timestamped, Base):
    """One answer to a customer satisfaction survey. ``fingerprint`` makes imports idempotent:
    the same answer imported twice is stored once."""

    __tablename__ = "survey_result"
    __table_args__ = (CheckConstraint("score >= 0 AND score <= scale", name="score_in_scale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("party.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), default=None)
    answered_on: Mapped[dt.date] = mapped_column(Date, index=True)
    score: Mapped[float] = mapped_column(Float)
    scale: Mapped[int] = mapped_column(default=5)
    respondent: Mapped[str] = mapped_column(String(200), default="")
    comments: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="entered")
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
