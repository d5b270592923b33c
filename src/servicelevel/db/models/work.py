"""SLM work items: what the process asks the service level manager to do next.

Triggers create them (a service approved, a material change of strategy, capability or
resources, an agreement nearing its end); they stay on the work list until someone marks them
done, so no trigger of the process is forgotten.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from servicelevel.db.base import Base, Timestamped, Versioned, one_of

WORK_KINDS = ("define_sla", "review_sla", "review_catalog", "renew_agreement", "prepare_review")
WORK_STATES = ("open", "done")


class WorkItem(Timestamped, Versioned, Base):
    __tablename__ = "work_item"
    __table_args__ = (
        CheckConstraint(one_of("kind", WORK_KINDS), name="kind_known"),
        CheckConstraint("status IN ('open', 'done')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    trigger: Mapped[str] = mapped_column(String(40))  # service_approved, change_of_strategy…
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)  # e.g. the change described
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), default=None, index=True
    )
    agreement_id: Mapped[int | None] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), default=None, index=True
    )
    assignee_role: Mapped[str] = mapped_column(String(40), default="service_level_manager")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    note: Mapped[str] = mapped_column(String(2000), default="")
