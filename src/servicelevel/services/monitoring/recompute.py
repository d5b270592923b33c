"""Recomputing measurements: every target's clock for every ticket an agreement covers, each
ticket under the version in force when it started (``agreements.versions_at``).

A recomputation replaces the agreement's measurements in one transaction, so running it twice,
or again after a worker died half-way, gives the same rows. It runs as a job (``slm worker``)
or inline (``slm recompute --now``). It reads tickets and events as columns and writes the
measurements in bulk (COPY on PostgreSQL): a million tickets take well under a minute.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import Job
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import bulk_columns
from servicelevel.db.repositories import jobs as job_repo
from servicelevel.db.repositories.monitoring import alerts as alert_repo
from servicelevel.db.repositories.monitoring import measurements as repo
from servicelevel.engine.clocks import NONE, Measurements, Status
from servicelevel.engine.compliance import reporting_instants
from servicelevel.engine.evaluation import measure
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements.for_engine import engine_agreement
from servicelevel.services.identity.permissions import Actor, allowed, require
from servicelevel.services.monitoring import alerts, breaches, stored_tickets
from servicelevel.services.shared import jobs
from servicelevel.services.shared.errors import NotFound

KIND = jobs.RECOMPUTE
STATUS_NAMES = np.array([s.label for s in Status])


def request(session: Session, *, actor: Actor, agreement_id: int) -> Job:
    """Queue a recomputation of an agreement's measurements (a manager's button)."""
    require(actor, "measurement.recompute")
    agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    return jobs.enqueue(session, kind=KIND, payload={"agreement_id": agreement_id})


MAX_TICKETS = 20_000  # more changed tickets than this in one job: recompute the agreement


def after_ingest(session: Session, services: set[str], tickets: list[int]) -> list[int]:
    """Queue the recomputation of the ``tickets`` new events touched, for every agreement
    covering the events' services (and the services the tickets had before); returns the
    agreements' ids. Only an insert: concurrent requests never wait for each other here. The
    worker that takes one of these jobs takes the others queued for the same agreement with it
    (:func:`run`), so a busy feed costs one recomputation per agreement at a time."""
    chosen = agreement_repo.in_force_covering(session, services)
    for agreement_id in chosen:
        payload: dict[str, Any] = {"agreement_id": agreement_id}
        if len(tickets) <= MAX_TICKETS:
            payload["tickets"] = sorted(set(tickets))
        jobs.enqueue(session, kind=KIND, payload=payload)
    return chosen


def request_for_service(session: Session, *, actor: Actor, service: str) -> list[Job]:
    """Queue a recomputation of every agreement in force covering a service (after a change
    of its service hours, say); none covering it is an error naming the service."""
    require(actor, "measurement.recompute")
    chosen = agreement_repo.in_force_covering(session, {service})
    if not chosen:
        raise NotFound("no agreement in force covers service {code}", code=service)
    return [jobs.enqueue(session, kind=KIND, payload={"agreement_id": a}) for a in chosen]


def latest(session: Session, *, actor: Actor, agreement_id: int) -> Job | None:
    """The agreement's newest recomputation job, for its progress (managers and viewers)."""
    agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    if not allowed(actor, "job.read"):
        return None
    return job_repo.latest_for(session, KIND, agreement_id)


@jobs.handler(KIND)
def run(session: Session, job: Job) -> dict[str, Any]:
    """Recompute what the job asks for, together with what the other jobs queued for the same
    agreement ask for (they are marked done, merged into this one, in the same transaction)."""
    agreement_id = int(job.payload["agreement_id"])
    merged = job_repo.take_queued(session, KIND, agreement_id, exclude=job.id)
    payloads = [job.payload, *(j.payload for j in merged)]
    for other in merged:
        jobs.finish(session, other, {"merged_into": job.id})
    tickets = sorted({t for p in payloads for t in p.get("tickets", [])})
    whole = any("tickets" not in p for p in payloads) or len(tickets) > MAX_TICKETS
    if whole:
        return recompute(session, agreement_id=agreement_id, job=job)
    return recompute(session, agreement_id=agreement_id, tickets=tickets, job=job)


@dataclass(frozen=True)
class Chunk:
    """One target's measurements for the tickets of one version."""

    version: int
    target: str
    ticket_ids: list[int]
    m: Measurements


@dataclass
class Measured:
    chunks: list[Chunk] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(c.ticket_ids) for c in self.chunks)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.chunks:
            names, n = np.unique(STATUS_NAMES[c.m.status], return_counts=True)
            for name, count in zip(names.tolist(), n.tolist(), strict=True):
                out[name] = out.get(name, 0) + count
        return out

    def columns(self) -> bulk_columns.Columns:
        """``repo.COLUMNS`` as arrays; instants in epoch seconds, ``NONE`` for none."""
        parts = []
        for c in self.chunks:
            m = c.m
            n = len(c.ticket_ids)
            data: dict[str, bulk_columns.Ints | bulk_columns.Coded] = {
                "version_number": np.full(n, c.version, dtype=np.int64),
                "target_key": bulk_columns.Coded(np.zeros(n, dtype=np.int64), (c.target,)),
                "ticket_id": np.asarray(c.ticket_ids, dtype=np.int64),
                "status": bulk_columns.Coded(m.status.astype(np.int64), STATUSES),
                "used_seconds": m.used.astype(np.int64),
                "paused_seconds": m.paused.astype(np.int64),
                "budget_seconds": m.budget,
                "started_at": m.started_at,
                "stopped_at": m.stopped_at,
                "deadline": m.deadline,
                "breached_at": m.breached_at,
                "counted_at": reporting_instants(m),
            }
            parts.append(bulk_columns.Columns(data, frozenset(repo.INSTANTS)))
        if not parts:
            coded = {"target_key", "status"}
            return bulk_columns.empty(repo.COLUMNS, coded, frozenset(repo.INSTANTS))
        return bulk_columns.concat(parts)

    def breached(self) -> breaches.Missed:
        """The measurements past their deadline, as columns."""
        parts = []
        for c in self.chunks:
            m = c.m
            breached_at = m.breached_at
            at = np.flatnonzero(breached_at != NONE)
            data: dict[str, bulk_columns.Ints | bulk_columns.Coded] = {
                "target_key": bulk_columns.Coded(np.zeros(at.size, dtype=np.int64), (c.target,)),
                "ticket_id": np.asarray(c.ticket_ids, dtype=np.int64)[at],
                "version_number": np.full(at.size, c.version, dtype=np.int64),
                "breached_at": breached_at[at],
                "used_seconds": m.used[at].astype(np.int64),
                "budget_seconds": m.budget[at],
                "stopped": (m.stopped_at[at] != NONE).astype(np.int64),
            }
            parts.append(bulk_columns.Columns(data))
        if not parts:
            return breaches.Missed(
                bulk_columns.empty(breaches.MISSED_COLUMNS, coded={"target_key"})
            )
        return breaches.Missed(bulk_columns.concat(parts))


STATUSES = tuple(str(s) for s in STATUS_NAMES)


def recompute(
    session: Session,
    *,
    agreement_id: int,
    now: dt.datetime | None = None,
    job: Job | None = None,
    tickets: list[int] | None = None,
) -> dict[str, Any]:
    """Replace the agreement's measurements (only those of ``tickets`` when given: what new
    events touched); returns how many per status."""
    agreement = agreement_repo.agreement_by_id(session, agreement_id)
    if agreement is None:
        raise NotFound("no agreement {id}", id=agreement_id)
    moment = now or utcnow()
    measured, ahead = Measured(), list[dict[str, Any]]()
    starts = [v.in_force_from for v in agreement.versions if v.in_force_from is not None]
    if starts:
        measured, ahead = _measure(session, agreement, min(starts), moment, job, tickets)
    if tickets is None:
        repo.replace(session, agreement_id, measured.columns(), moment)
    else:
        repo.replace_tickets(session, agreement_id, tickets, measured.columns(), moment)
    scheduled = alert_repo.replace_unfired(session, agreement_id, ahead, tickets)
    changed = breaches.sync_tickets(session, agreement_id, measured.breached(), moment, tickets)
    return {
        "agreement_id": agreement_id,
        "measurements": len(measured),
        "by_status": measured.counts(),
        "alerts_scheduled": scheduled,
        "breaches": changed,
    }


def _measure(
    session: Session,
    agreement: Any,
    since: dt.datetime,
    now: dt.datetime,
    job: Job | None,
    tickets: list[int] | None,
) -> tuple[Measured, list[dict[str, Any]]]:
    """Measurements per version and target, and the alert rows of the clocks still running."""
    customer = agreement.counterparty_id if agreement.kind == "SLA" else None
    services = sorted({s.service_id for v in agreement.versions for s in v.services})
    codes = agreement_repo.codes(session, set(), set(services), set())[1]
    engines = {v.number: engine_agreement(session, agreement, v) for v in agreement.versions}
    stored = stored_tickets.load(
        session,
        sorted(codes.values()),
        customer,
        since,
        now,
        tickets,
        **stored_tickets.wanted(engines.values()),
    )
    numbers = agreements.versions_at(agreement, stored.opened)
    measured, ahead = Measured(), list[dict[str, Any]]()
    done = 0  # tickets measured so far (a ticket has one measurement per target)
    for version in agreement.versions:
        chosen = np.flatnonzero(numbers == version.number)
        if not chosen.size:
            continue
        engine = engines[version.number]
        found = measure(engine, stored.ticket_set(chosen), int(now.timestamp()), workers=1)
        for key, (index, m) in found.items():
            ticket_ids = stored.ids[chosen[index]].tolist()
            measured.chunks.append(Chunk(version.number, key, ticket_ids, m))
            ahead += alerts.ahead(agreement.id, version.number, key, ticket_ids, m)
        done += int(chosen.size)
        if job is not None:
            jobs.progress(job, done, len(stored))
    return measured, ahead
