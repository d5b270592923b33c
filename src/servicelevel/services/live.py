"""The live view: an agreement's open tickets, most urgent first, with the working time left.

Time left is read from the last recomputation: the budget less the working time used then; a
running clock has used more since, so its deadline (an instant) is what orders the list and what
the page shows first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.repositories import measurements as repo
from servicelevel.services import agreements
from servicelevel.services.permissions import Actor


@dataclass(frozen=True)
class OpenClock:
    ticket_id: int
    ticket: str
    priority: str
    target: str
    status: str
    deadline: dt.datetime | None
    left_seconds: int  # working time left as of the last recomputation
    overdue: bool  # the deadline has passed (now)


def open_clocks(
    session: Session, *, actor: Actor, agreement_id: int, now: dt.datetime, limit: int = 200
) -> list[OpenClock]:
    agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    return [
        OpenClock(
            ticket_id=m.ticket_id,
            ticket=number,
            priority=priority,
            target=m.target_key,
            status=m.status,
            deadline=m.deadline,
            left_seconds=max(0, m.budget_seconds - m.used_seconds),
            overdue=m.deadline is not None and m.deadline <= now,
        )
        for m, number, priority in repo.open_of_agreement(session, agreement_id, limit)
    ]
