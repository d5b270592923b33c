"""The live view: an agreement's open tickets, most urgent first, with the working time left.

A ticket still open whose clock has breached stays in the list (the most urgent of all),
flagged overdue with how long ago its deadline passed.

Time left is read from the last recomputation: the budget less the working time used then; a
running clock has used more since, so its deadline (an instant) is what orders the list and what
the page shows first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.repositories.monitoring import measurements as repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor


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
    overdue_seconds: int = 0  # how long ago it passed (real time), 0 when not overdue


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
            overdue_seconds=_since(m.deadline, now),
        )
        for m, number, priority in repo.open_of_agreement(session, agreement_id, limit)
    ]


def _since(deadline: dt.datetime | None, now: dt.datetime) -> int:
    if deadline is None or deadline > now:
        return 0
    return int((now - deadline).total_seconds())
