"""Warnings and breaches of running clocks, computed ahead.

Recomputation knows, for every running clock, the instant each warning threshold will be
crossed and its deadline (the engine's ``crossing_at``): :func:`ahead` turns them into
``clock_alert`` rows. :func:`fire_due` — run by the worker every few seconds — reads only the
rows whose instant has come (one indexed range query, not a pass over every ticket), records a
breach for a deadline passed, and announces each alert once on the listening channels.

An alert waits while its agreement has a recomputation queued or running, so a late "resolved"
event is taken into account before anybody is told about a breach that did not happen. An alert
more than :data:`STALE_AFTER` overdue when it is first seen (an import of old tickets) is
recorded as ``stale`` and not announced.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from servicelevel.db.models import ClockAlert
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import jobs as job_repo
from servicelevel.db.repositories.common import Page
from servicelevel.db.repositories.monitoring import alerts as repo
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.engine.clocks import NONE, Measurements, Status
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.monitoring import breaches
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.shared import jobs

STALE_AFTER = dt.timedelta(hours=24)


def ahead(
    agreement_id: int, number: int, key: str, ticket_ids: list[int], m: Measurements
) -> list[dict[str, Any]]:
    """Alert rows for the clocks still running: each warning threshold and the deadline. A
    clock already past its deadline gets only its breach alert."""
    live = (m.status == Status.RUNNING) | ((m.status == Status.BREACHED) & (m.stopped_at == NONE))
    rows: list[dict[str, Any]] = []

    def add(indices: Any, kind: str, threshold: float, instants: Any) -> None:
        for i in indices:
            rows.append(
                {
                    "agreement_id": agreement_id,
                    "version_number": number,
                    "target_key": key,
                    "ticket_id": ticket_ids[int(i)],
                    "kind": kind,
                    "threshold": threshold,
                    "due_at": dt.datetime.fromtimestamp(int(instants[i]), dt.UTC),
                    "outcome": "",
                }
            )

    running = live & (m.status == Status.RUNNING)
    for j, fraction in enumerate(m.thresholds):
        column = m.crossing_at[:, j]
        add(np.flatnonzero(running & (column != NONE)), "warning", float(fraction), column)
    add(np.flatnonzero(live & (m.deadline != NONE)), "breach", 1.0, m.deadline)
    return rows


def fire_due(session: Session, *, now: dt.datetime, limit: int = 500) -> dict[str, int]:
    """Fire the alerts whose instant has come (the worker calls this, then commits)."""
    due = repo.due(session, now, limit)
    waiting = job_repo.agreements_waiting(session, jobs.RECOMPUTE)
    ready = [a for a in due if a.agreement_id not in waiting]
    if not ready:
        return {"announced": 0, "stale": 0}
    keys = [(a.agreement_id, a.target_key, a.ticket_id) for a in ready]
    measured = measurement_repo.of_keys(session, keys)
    tickets = monitoring_repo.ticket_heads(session, sorted({a.ticket_id for a in ready}))
    heads = agreement_repo.heads(session, {a.agreement_id for a in ready})
    counts = {"announced": 0, "stale": 0}
    for alert in ready:
        alert.fired_at = now
        m = measured.get((alert.agreement_id, alert.target_key, alert.ticket_id))
        budget = m.budget_seconds if m is not None else 0
        if alert.kind == "breach":
            breaches.record_open(
                session,
                agreement_id=alert.agreement_id,
                version_number=alert.version_number,
                target_key=alert.target_key,
                ticket_id=alert.ticket_id,
                deadline=alert.due_at,
                budget_seconds=budget,
            )
        if now - alert.due_at > STALE_AFTER:
            alert.outcome = "stale"
            counts["stale"] += 1
            continue
        alert.outcome = "announced"
        counts["announced"] += 1
        facts = _facts(alert, heads.get(alert.agreement_id), tickets.get(alert.ticket_id, {}), m)
        notifications.announce(
            session,
            agreement_id=alert.agreement_id,
            kind=alert.kind,
            key=f"alert:{alert.id}",
            facts=facts,
            urgent=alert.kind == "breach",
            now=now,
        )
    session.flush()
    return counts


def _facts(
    alert: ClockAlert, head: tuple[str, str, int] | None, ticket: dict[str, str], m: Any
) -> dict[str, Any]:
    budget = int(m.budget_seconds) if m is not None else 0
    return {
        "agreement": head[0] if head else "",
        "agreement_name": head[1] if head else "",
        "target": alert.target_key,
        **ticket,
        "threshold": alert.threshold,
        "deadline": m.deadline.isoformat() if m is not None and m.deadline else None,
        "used_seconds": round(budget * alert.threshold),
        "budget_seconds": budget,
        "due_at": alert.due_at.isoformat(),
    }


def upcoming(session: Session, *, actor: Actor, agreement_id: int) -> list[ClockAlert]:
    """The next alerts of an agreement, soonest first (what will be announced when)."""
    require(actor, "breach.read")
    agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    return repo.next_due(session, agreement_id)


def fired(session: Session, *, actor: Actor, offset: int = 0, limit: int = 50) -> Page[ClockAlert]:
    """Alerts already fired, newest first, for the agreements ``actor`` may see."""
    require(actor, "breach.read")
    return repo.fired(
        session, agreements=breaches.visible_agreements(session, actor), offset=offset, limit=limit
    )
