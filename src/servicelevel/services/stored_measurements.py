"""A period's stored measurements read back as the engine's measurements, so that a report is
assembled from what recomputation keeps current instead of re-running every ticket's clocks
(one query of the period's rows instead of every ticket opened in it and 90 days before).

Stored figures are as of their last computation. A clock stored as running whose deadline has
passed since has breached at its deadline (the engine's rule), and is read so. When a
recomputation of the agreement is still waiting, the stored rows may miss late events: the
caller evaluates the tickets instead (:func:`usable`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session

from servicelevel.db.repositories import jobs as job_repo
from servicelevel.db.repositories import measurements as repo
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import NONE, Measurements, Status
from servicelevel.engine.periods import Period
from servicelevel.engine.targets import Categorical, TicketSet
from servicelevel.engine.timelines import Timelines
from servicelevel.services import jobs

STATUS = {s.label: int(s) for s in Status}


@dataclass(frozen=True)
class Stored:
    """What :func:`servicelevel.engine.evaluation.assemble` needs, and the tickets (numbers,
    priority and category; no timelines) for breach rows."""

    tickets: TicketSet
    measured: dict[str, tuple[I64, Measurements]]


def usable(session: Session, agreement_id: int) -> bool:
    """Stored measurements speak for the agreement: it has some, and no recomputation of it
    is waiting to bring in events."""
    if agreement_id in job_repo.agreements_waiting(session, jobs.RECOMPUTE):
        return False
    return repo.has_any(session, agreement_id)


def read(
    session: Session, agreement_id: int, engine: EngineAgreement, period: Period, now: int
) -> Stored:
    """The measurements of ``engine``'s targets that count in ``period`` as of ``now``."""
    start = dt.datetime.fromtimestamp(period.start, dt.UTC)
    end = dt.datetime.fromtimestamp(period.end, dt.UTC)
    found = repo.period_columns(session, agreement_id, start, end)
    cols = dict(zip(repo.PERIOD_COLUMNS, found, strict=True))
    numbers = np.array([str(n) for n in cols["ticket"]], dtype=str)
    ids, inverse = np.unique(numbers, return_inverse=True)
    inverse = inverse.astype(np.int64)
    keys = np.array([str(k) for k in cols["target"]], dtype=str)
    measured = {}
    for target in engine.targets:
        rows = np.flatnonzero(keys == target.id)
        measured[target.id] = (inverse[rows], _measurements(cols, rows, now))
    return Stored(_tickets(ids, inverse, cols), measured)


def _tickets(ids: np.ndarray, inverse: np.ndarray, cols: dict[str, list[object]]) -> TicketSet:
    """Numbers with their priority and category (the first row of each ticket gives them)."""
    first = np.full(ids.size, -1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(inverse.size)[::-1]
    attributes = {
        name: Categorical.from_strings([str(cols[name][i] or "") for i in first.tolist()])
        for name in ("priority", "category")
    }
    empty = np.zeros(0, dtype=np.int64)
    timelines = Timelines(
        np.zeros(ids.size + 1, dtype=np.int64),
        empty,
        empty.astype(np.int32),
        empty.astype(np.int32),
        (),
    )
    return TicketSet(ids, timelines, attributes)


def _ints(values: list[object], rows: np.ndarray) -> I64:
    """The chosen rows of a column as integers (``NONE`` for an unset instant)."""
    picked = [values[i] for i in rows.tolist()]
    return np.array([NONE if v is None else v for v in picked], dtype=np.int64)


def _measurements(cols: dict[str, list[object]], rows: np.ndarray, now: int) -> Measurements:
    status = np.array([STATUS[str(cols["status"][i])] for i in rows.tolist()], dtype=np.int8)
    deadline = _ints(cols["deadline"], rows)
    breached_at = _ints(cols["breached_at"], rows)
    stopped_at = _ints(cols["stopped_at"], rows)
    late = (
        (status == Status.RUNNING) & (stopped_at == NONE) & (deadline != NONE) & (deadline <= now)
    )
    status[late] = Status.BREACHED
    breached_at[late] = deadline[late]
    return Measurements(
        status=status,
        budget=_ints(cols["budget"], rows),
        used=_ints(cols["used"], rows),
        paused=_ints(cols["paused"], rows),
        started_at=_ints(cols["started_at"], rows),
        stopped_at=stopped_at,
        deadline=deadline,
        breached_at=breached_at,
    )
