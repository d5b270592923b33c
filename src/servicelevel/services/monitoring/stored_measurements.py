"""A period's stored measurements read back as the engine's measurements, so that a report is
assembled from what recomputation keeps current instead of re-running every ticket's clocks
(one query of the period's rows instead of every ticket opened in it and 90 days before).

Stored figures are as of their last computation. A clock stored as running whose deadline has
passed since has breached at its deadline (the engine's rule), and is read so (its status says
breached; ``Measurements.breached_at`` then gives the deadline). When a
recomputation of the agreement is still waiting, the stored rows may miss late events: the
caller evaluates the tickets instead (:func:`usable`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy.orm import Session

from servicelevel.db.repositories import jobs as job_repo
from servicelevel.db.repositories.monitoring import measurements as repo
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.engine.calendars import I64
from servicelevel.engine.clocks import NONE, Measurements, Status, durations
from servicelevel.engine.periods import Period
from servicelevel.engine.targets import Categorical, TicketSet
from servicelevel.engine.timelines import Timelines
from servicelevel.services.shared import jobs

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
    """The measurements of ``engine``'s targets that count in ``period`` as of ``now``, each
    target's in the order of its tickets' ids. Columns become arrays in one step each (the
    database gives integers only: ``NONE`` for an unset instant), never row by row."""
    start = dt.datetime.fromtimestamp(period.start, dt.UTC)
    end = dt.datetime.fromtimestamp(period.end, dt.UTC)
    found = repo.period_columns(session, agreement_id, start, end, unset=NONE)
    cols = dict(zip(repo.PERIOD_COLUMNS, found, strict=True))
    numbers = np.array([str(n) for n in cols["ticket"]], dtype=str)
    ids, inverse = np.unique(numbers, return_inverse=True)
    inverse = inverse.astype(np.int64)
    keys = np.array([str(k) for k in cols["target"]], dtype=str)
    ticket_ids = np.array(cols["ticket_id"], dtype=np.int64)
    status, columns = _columns(cols, now)
    measured = {}
    for target in engine.targets:
        rows = np.flatnonzero(keys == target.id)
        rows = rows[np.argsort(ticket_ids[rows], kind="stable")]
        measured[target.id] = (inverse[rows], _measurements(status, columns, rows))
    return Stored(_tickets(ids, inverse, cols), measured)


def _tickets(ids: np.ndarray, inverse: np.ndarray, cols: dict[str, list[object]]) -> TicketSet:
    """Numbers with their priority and category (the first row of each ticket gives them)."""
    first = np.full(ids.size, -1, dtype=np.int64)
    first[inverse[::-1]] = np.arange(inverse.size)[::-1]
    attributes = {
        name: Categorical.from_strings(
            np.array([str(v or "") for v in cols[name]], dtype=str)[first]
        )
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


def _columns(cols: dict[str, list[object]], now: int) -> tuple[NDArray[np.int8], dict[str, I64]]:
    """Every row's status and figures as arrays; a clock stored as running whose deadline has
    passed by ``now`` has breached (at its deadline)."""
    labels = np.array([str(s) for s in cols["status"]], dtype=str)
    status = np.full(labels.size, -1, dtype=np.int8)
    for label, value in STATUS.items():
        status[labels == label] = value
    if (status < 0).any():
        raise KeyError(str(labels[status < 0][0]))
    out = {
        name: np.array(cols[name], dtype=np.int64).reshape(-1)
        for name in ("used", "paused", "budget", *INSTANTS)
    }
    deadline, stopped_at = out["deadline"], out["stopped_at"]
    late = (
        (status == Status.RUNNING) & (stopped_at == NONE) & (deadline != NONE) & (deadline <= now)
    )
    status[late] = Status.BREACHED
    return status, out


INSTANTS = ("started_at", "stopped_at", "deadline")


def _measurements(status: NDArray[np.int8], columns: dict[str, I64], rows: I64) -> Measurements:
    return Measurements(
        status=status[rows],
        budget=columns["budget"][rows],
        used=durations(columns["used"][rows]),
        paused=durations(columns["paused"][rows]),
        started_at=columns["started_at"][rows],
        stopped_at=columns["stopped_at"][rows],
        deadline=columns["deadline"][rows],
    )
