"""Recomputing measurements: every target's clock for every ticket an agreement covers, each
ticket under the version in force when it started (``agreements.version_at``).

A recomputation replaces the agreement's measurements in one transaction, so running it twice,
or again after a worker died half-way, gives the same rows. It runs as a job (``slm worker``)
or inline (``slm recompute --now``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import Job
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import alerts as alert_repo
from servicelevel.db.repositories import jobs as job_repo
from servicelevel.db.repositories import measurements as repo
from servicelevel.db.repositories import monitoring as monitoring_repo
from servicelevel.engine.clocks import NONE, Status
from servicelevel.engine.evaluation import measure
from servicelevel.services import agreements, alerts, breaches, jobs
from servicelevel.services.errors import NotFound
from servicelevel.services.permissions import Actor, require
from servicelevel.services.service_reports import engine_agreement
from servicelevel.services.whatif import stored_tickets, ticket_set

KIND = "recompute"


def request(session: Session, *, actor: Actor, agreement_id: int) -> Job:
    """Queue a recomputation of an agreement's measurements (a manager's button)."""
    require(actor, "measurement.recompute")
    agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    return jobs.enqueue(session, kind=KIND, payload={"agreement_id": agreement_id})


def after_ingest(session: Session, services: set[str]) -> list[int]:
    """Queue a recomputation for every agreement whose measurements new events may change
    (those covering the events' services), unless one is already queued; returns their ids."""
    waiting = {int(p.get("agreement_id", 0)) for p in job_repo.queued_payloads(session, KIND)}
    chosen = agreement_repo.in_force_covering(session, services)
    for agreement_id in chosen:
        if agreement_id not in waiting:
            jobs.enqueue(session, kind=KIND, payload={"agreement_id": agreement_id})
    return chosen


@jobs.handler(KIND)
def run(session: Session, job: Job) -> dict[str, Any]:
    return recompute(session, agreement_id=int(job.payload["agreement_id"]), job=job)


def recompute(
    session: Session, *, agreement_id: int, now: dt.datetime | None = None, job: Job | None = None
) -> dict[str, Any]:
    """Replace the agreement's measurements; returns how many per status."""
    agreement = agreement_repo.agreement_by_id(session, agreement_id)
    if agreement is None:
        raise NotFound("no agreement {id}", id=agreement_id)
    moment = now or utcnow()
    rows: list[dict[str, Any]] = []
    ahead: list[dict[str, Any]] = []
    starts = [v.in_force_from for v in agreement.versions if v.in_force_from is not None]
    if starts:
        rows, ahead = _measure(session, agreement, min(starts), moment, job)
    repo.replace(session, agreement_id, rows)
    scheduled = alert_repo.replace_unfired(session, agreement_id, ahead)
    changed = breaches.sync_tickets(session, agreement_id, rows, moment)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["status"]] = counts.get(row["status"], 0) + 1
    return {
        "agreement_id": agreement_id,
        "measurements": len(rows),
        "by_status": counts,
        "alerts_scheduled": scheduled,
        "breaches": changed,
    }


def _measure(
    session: Session, agreement: Any, since: dt.datetime, now: dt.datetime, job: Job | None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Measurement rows, and the alert rows of the clocks still running."""
    customer = agreement.counterparty_id if agreement.kind == "SLA" else None
    services = sorted({s.service_id for v in agreement.versions for s in v.services})
    codes = agreement_repo.codes(session, set(), set(services), set())[1]
    found, happened, service_of = stored_tickets(
        session, sorted(codes.values()), customer, since, now
    )
    opened = monitoring_repo.opened_at_of(session, [r[0] for r in found])
    by_version: dict[int, list[int]] = {}
    for i, row in enumerate(found):
        version = agreements.version_at(agreement, opened[row[0]])
        if version is not None:
            by_version.setdefault(version.number, []).append(i)
    out: list[dict[str, Any]] = []
    ahead: list[dict[str, Any]] = []
    for number, chosen in sorted(by_version.items()):
        version = next(v for v in agreement.versions if v.number == number)
        ids = {found[i][0] for i in chosen}
        tickets = ticket_set(
            [found[i] for i in chosen],
            [e for e in happened if e[0] in ids],
            [service_of[i] for i in chosen],
        )
        engine = engine_agreement(session, agreement, version)
        measured = measure(engine, tickets, int(now.timestamp()), workers=1)
        for key, (index, m) in measured.items():
            ticket_ids = [found[chosen[i]][0] for i in index]
            out += _rows(agreement.id, number, key, ticket_ids, m, now)
            ahead += alerts.ahead(agreement.id, number, key, ticket_ids, m)
        if job is not None:
            jobs.progress(job, len(out), len(found))
    return out, ahead


def _rows(
    agreement_id: int, number: int, key: str, ticket_ids: list[int], m: Any, now: dt.datetime
) -> list[dict[str, Any]]:
    def instant(value: int) -> dt.datetime | None:
        return None if value == NONE else dt.datetime.fromtimestamp(int(value), dt.UTC)

    return [
        {
            "agreement_id": agreement_id,
            "version_number": number,
            "target_key": key,
            "ticket_id": ticket_id,
            "status": Status(int(m.status[i])).name.lower(),
            "used_seconds": int(m.used[i]),
            "paused_seconds": int(m.paused[i]),
            "budget_seconds": int(m.budget[i]),
            "started_at": instant(m.started_at[i]),
            "stopped_at": instant(m.stopped_at[i]),
            "deadline": instant(m.deadline[i]),
            "breached_at": instant(m.breached_at[i]),
            "computed_at": now,
        }
        for i, ticket_id in enumerate(ticket_ids)
    ]
