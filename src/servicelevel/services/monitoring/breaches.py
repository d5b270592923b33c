"""Breaches: the record of every missed target, with its cause (ticket, target, agreement
version, when, by how much) and the decisions about it.

Recomputation keeps ticket breaches in step with the measurements (:func:`sync_tickets`): a new
breach is added, a changed one updated, and one that later data shows never happened (a late
"resolved" event) is *withdrawn* rather than deleted, so its annotations survive. A manager can
exclude a breach (e.g. caused by the customer) with a reason; who decided when is kept, the
change is audited, and reports count an excluded breach as met and list it as excluded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Breach
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import bulk, bulk_columns
from servicelevel.db.repositories.common import Page
from servicelevel.db.repositories.monitoring import alerts as repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Forbidden, Invalid, NotFound
from servicelevel.services.shared.validation import text

FIELDS = ("status", "excluded", "exclusion_reason", "decided_by_id", "decided_at", "note")


@dataclass(frozen=True)
class Miss:
    """A measurement past its deadline, as recomputation found it."""

    target: str
    ticket_id: int
    version: int
    breached_at: int  # epoch seconds
    used: int
    budget: int
    stopped: bool

    @property
    def status(self) -> str:
        return "closed" if self.stopped else "open"


MISSED_COLUMNS = (
    "target_key",
    "ticket_id",
    "version_number",
    "breached_at",
    "used_seconds",
    "budget_seconds",
    "stopped",
)


@dataclass(frozen=True)
class Missed:
    """Measurements past their deadline as columns :data:`MISSED_COLUMNS` (``target_key``
    coded, ``breached_at`` in epoch seconds, ``stopped`` 0 or 1), so that a million of them
    reach PostgreSQL by COPY without a Python object each."""

    columns: bulk_columns.Columns

    def __len__(self) -> int:
        return len(self.columns)

    def __iter__(self) -> Iterator[Miss]:
        for target, ticket, version, at, used, budget, stopped in self.columns.rows():
            yield Miss(target, ticket, version, at, used, budget, bool(stopped))


NEW_COLUMNS = (
    "agreement_id",
    "version_number",
    "target_key",
    "kind",
    "subject",
    "ticket_id",
    "breached_at",
    "status",
    "budget_seconds",
    "used_seconds",
    "overrun_seconds",
)


def sync_tickets(
    session: Session,
    agreement_id: int,
    missed: Missed,
    now: dt.datetime,
    tickets: list[int] | None = None,
) -> dict[str, int]:
    """Bring the agreement's ticket breaches (of ``tickets``, when only they were recomputed)
    in line with freshly computed measurements. PostgreSQL does it in set-based statements
    over the misses COPYed in; the generic path compares row by row here."""
    if bulk.is_postgresql(session):
        added, changed = repo.sync_ticket_breaches(
            session, agreement_id, missed.columns, now, tickets
        )
        return {"added": added, "changed": changed}
    return sync_tickets_generic(session, agreement_id, missed, now, tickets)


def sync_tickets_generic(
    session: Session,
    agreement_id: int,
    missed: Missed,
    now: dt.datetime,
    tickets: list[int] | None = None,
) -> dict[str, int]:
    """:func:`sync_tickets` on any database, one breach at a time (the reference)."""
    existing = repo.ticket_breaches(session, agreement_id, tickets)
    seen: set[str] = set()
    added: list[tuple[object, ...]] = []
    changed: list[dict[str, Any]] = []
    for m in missed:
        subject = f"ticket:{m.ticket_id}"
        key = f"{m.target}|{subject}"
        seen.add(key)
        overrun = max(0, m.used - m.budget)
        if key not in existing:
            head = (agreement_id, m.version, m.target, "ticket", subject, m.ticket_id)
            added.append((*head, m.breached_at, m.status, m.budget, m.used, overrun))
            continue
        breach_id, status, stored = existing[key]
        figures = (m.version, m.breached_at, m.used, m.budget)
        if status != m.status or figures != _stored(stored):
            changed.append(_change(breach_id, m, now))
    for key, (breach_id, status, stored) in existing.items():
        if key not in seen and status != "withdrawn":
            changed.append(
                {"breach_id": breach_id, **stored, "status": "withdrawn", "overrun_seconds": 0}
                | {"updated_at": now}
            )
    repo.insert_breaches(session, NEW_COLUMNS, added, now)
    repo.update_breaches(session, changed)
    return {"added": len(added), "changed": len(changed)}


def _stored(stored: dict[str, Any]) -> tuple[int, int, int, int]:
    at = int(stored["breached_at"].timestamp())
    return (stored["version_number"], at, stored["used_seconds"], stored["budget_seconds"])


def _change(breach_id: int, m: Miss, now: dt.datetime) -> dict[str, Any]:
    return {
        "breach_id": breach_id,
        "version_number": m.version,
        "breached_at": dt.datetime.fromtimestamp(m.breached_at, dt.UTC),
        "used_seconds": m.used,
        "budget_seconds": m.budget,
        "overrun_seconds": max(0, m.used - m.budget),
        "status": m.status,
        "updated_at": now,
    }


def record_open(
    session: Session,
    *,
    agreement_id: int,
    version_number: int,
    target_key: str,
    ticket_id: int,
    deadline: dt.datetime,
    budget_seconds: int,
) -> Breach:
    """A running clock passed its deadline (found by the alert, before any recomputation)."""
    subject = f"ticket:{ticket_id}"
    found = repo.breach_of(session, agreement_id, target_key, subject)
    if found is None:
        found = Breach(
            agreement_id=agreement_id,
            version_number=version_number,
            target_key=target_key,
            kind="ticket",
            subject=subject,
            ticket_id=ticket_id,
            breached_at=deadline,
            budget_seconds=budget_seconds,
            used_seconds=budget_seconds,
        )
        session.add(found)
    elif found.status == "withdrawn":
        found.status, found.breached_at = "open", deadline
    session.flush()
    return found


def record_availability(
    session: Session,
    *,
    agreement_id: int,
    version_number: int,
    target_key: str,
    period: tuple[dt.datetime, dt.datetime],
    achieved: float,
    objective: float,
    now: dt.datetime,
) -> tuple[Breach, bool]:
    """An availability target below its objective in a period; ``True`` when it is new."""
    subject = f"period:{period[0].isoformat()}"
    found = repo.breach_of(session, agreement_id, target_key, subject)
    fresh = found is None
    if found is None:
        found = Breach(
            agreement_id=agreement_id,
            version_number=version_number,
            target_key=target_key,
            kind="availability",
            subject=subject,
            period_start=period[0],
            period_end=period[1],
            breached_at=now,
            objective=objective,
        )
        session.add(found)
    found.achieved = achieved
    found.status = "closed" if now >= period[1] else "open"
    session.flush()
    return found, fresh


def visible_agreements(session: Session, actor: Actor) -> list[int] | None:
    """The agreements whose breaches ``actor`` may see (``None``: all)."""
    if not actor.scoped:
        return None
    return agreement_repo.ids_of_parties(session, actor.parties)


def list_breaches(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int | None = None,
    status: str | None = None,
    excluded: bool | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    offset: int = 0,
    limit: int = 50,
    team: str | None = None,
    current: bool = False,
) -> Page[Breach]:
    """Breaches ``actor`` may see, newest first; ``team`` (the provider's own people only:
    teams are internal) keeps those of tickets that team held when breached; ``current``
    leaves out the withdrawn (what the dashboard's weekly bars count)."""
    require(actor, "breach.read")
    if team and actor.scoped:
        raise Forbidden("{user} may not {action}", user=actor.username, action="team.read")
    return repo.list_breaches(
        session,
        agreements=visible_agreements(session, actor),
        agreement_id=agreement_id,
        status=status,
        excluded=excluded,
        since=since,
        until=until,
        offset=offset,
        limit=limit,
        team=team,
        current=current,
    )


def get_breach(session: Session, *, actor: Actor, breach_id: int) -> Breach:
    require(actor, "breach.read")
    found = repo.breach_by_id(session, breach_id)
    allowed = visible_agreements(session, actor)
    if found is None or (allowed is not None and found.agreement_id not in allowed):
        raise NotFound("no breach {id}", id=breach_id)
    return found


def annotate(
    session: Session,
    *,
    actor: Actor,
    breach_id: int,
    version: int,
    excluded: bool,
    reason: str = "",
    note: str = "",
) -> Breach:
    """Exclude a breach (with the reason), take an exclusion back, or add a note."""
    require(actor, "breach.annotate")
    breach = get_breach(session, actor=actor, breach_id=breach_id)
    audit.check_version(breach, version)
    why = text(reason, "reason", limit=2000)
    if excluded and not why:
        raise Invalid("say why the breach is excluded", "reason")
    before = audit.snapshot(breach, FIELDS)
    if excluded != breach.excluded:
        breach.decided_by_id, breach.decided_at = actor.user_id, dt.datetime.now(dt.UTC)
    breach.excluded = excluded
    breach.exclusion_reason = why if excluded else ""
    breach.note = text(note, "note", limit=4000)
    audit.record(session, actor, "annotate", breach, before, audit.snapshot(breach, FIELDS))
    return breach


def names_for(
    session: Session, agreement_ids: set[int], ticket_ids: set[int]
) -> tuple[dict[int, str], dict[int, str]]:
    """Agreement codes and ticket numbers to show beside breaches and alerts (read with them:
    no further permission check)."""
    codes = {i: head[0] for i, head in agreement_repo.heads(session, agreement_ids).items()}
    tickets = monitoring_repo.ticket_heads(session, sorted(ticket_ids))
    return codes, {i: t["ticket"] for i, t in tickets.items()}


def teams_at_breach(session: Session, found: list[Breach]) -> dict[int, str]:
    """Per ticket breach, the team holding the ticket when its target was breached (the last
    team its events named by then), for the breaches just read: no further permission check.
    A breach of a ticket that never named a team has none."""
    changes = monitoring_repo.team_changes(
        session, sorted({b.ticket_id for b in found if b.ticket_id})
    )
    out: dict[int, str] = {}
    for b in found:
        held = [team for at, team in changes.get(b.ticket_id or 0, []) if at <= b.breached_at]
        if held:
            out[b.id] = held[-1]
    return out


def excluded_numbers(session: Session, agreement_id: int) -> dict[str, set[str]]:
    """Per target, the numbers of the tickets whose breach was excluded (as the engine names
    tickets), for reports to count them as met."""
    return excluded_tickets(session, agreement_id)[1]


def excluded_tickets(
    session: Session, agreement_id: int
) -> tuple[dict[str, set[int]], dict[str, set[str]]]:
    """Per target, the ids and the numbers of the tickets whose breach was excluded."""
    by_target = repo.excluded_tickets(session, agreement_id)
    ids = sorted({i for found in by_target.values() for i in found})
    numbers = {i: t["ticket"] for i, t in monitoring_repo.ticket_heads(session, ids).items()}
    return by_target, {k: {numbers[i] for i in v if i in numbers} for k, v in by_target.items()}


def exclusions_between(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime
) -> list[dict[str, Any]]:
    """The excluded breaches of a period with who decided why (a report lists them)."""
    page = repo.list_breaches(
        session,
        agreements=None,
        agreement_id=agreement_id,
        excluded=True,
        since=start,
        until=end,
        limit=1000,
    )
    found = [b for b in page.items if b.status != "withdrawn"]
    tickets = monitoring_repo.ticket_heads(session, [b.ticket_id for b in found if b.ticket_id])
    return [
        {
            "target": b.target_key,
            "ticket": tickets.get(b.ticket_id, {}).get("ticket", "") if b.ticket_id else "",
            "breached_at": b.breached_at,
            "reason": b.exclusion_reason,
            "decided_at": b.decided_at,
        }
        for b in found
    ]
