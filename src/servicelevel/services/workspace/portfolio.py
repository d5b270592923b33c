"""The portfolio dashboard: every agreement in force with how it is doing this month — from
the stored measurements and breach records, never a re-evaluation, in one set-based query per
figure for all the agreements at once (a query per agreement made the page's cost grow with the
portfolio): compliance so far (excluded breaches count as met), clocks at risk of breaching
within :data:`AT_RISK`, breaches this month, whether it is expiring, and its underpinning
findings, and its next review meeting (overdue when its date has passed).
Representatives see only their own agreements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import reviews as review_repo
from servicelevel.db.repositories.monitoring import alerts as alert_repo
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.db.repositories.reporting import health as health_repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements import underpinning
from servicelevel.services.identity.permissions import Actor, allowed, require
from servicelevel.services.monitoring.queue import AT_RISK
from servicelevel.services.reporting import trends

FAR_AHEAD = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Health:
    agreement_id: int
    code: str
    title: str
    kind: str
    status: str
    counterparty_id: int
    manager_id: int | None
    period: str
    met: int
    breached: int
    within: float | None
    at_risk: int
    breaches: int
    excluded: int
    findings: int | None  # underpinning findings; None for representatives, who never see them
    next_review: dt.datetime | None = None  # the agreement's scheduled review meeting
    review_id: int | None = None
    review_overdue: bool = False


def portfolio(
    session: Session,
    *,
    actor: Actor,
    customer_id: int | None = None,
    service_id: int | None = None,
    manager_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[Health]:
    require(actor, "agreement.read")
    moment = now or dt.datetime.now(dt.UTC)
    findings: dict[str, int] | None = None  # None: not for this reader (representatives)
    if allowed(actor, "underpinning.read"):
        findings = {}
        for f in underpinning.portfolio_findings(session, actor=actor):
            findings[f.sla] = findings.get(f.sla, 0) + 1
    in_force = agreement_repo.agreements_by_ids(session, health_repo.in_force_ids(session))
    chosen = [
        a
        for a in in_force
        if agreements.can_see(actor, a) and _wanted(a, customer_id, service_id, manager_id)
    ]
    meetings = review_repo.due_between(session, [a.id for a in chosen], FAR_AHEAD)
    months = {a.id: _month(a, moment) for a in chosen}
    windows = {i: (start, end) for i, (start, end, _) in months.items()}
    counts = health_repo.status_counts(session, windows)
    breaches = health_repo.breach_counts(session, windows)
    risky = health_repo.at_risk(session, list(windows), moment + AT_RISK)
    out = []
    for a in chosen:
        met, breached = trends.decided(counts[a.id], breaches[a.id][1])
        health = Health(
            agreement_id=a.id,
            code=a.code,
            title=a.title,
            kind=a.kind,
            status=a.status,
            counterparty_id=a.counterparty_id,
            manager_id=a.manager_id,
            period=months[a.id][2],
            met=met,
            breached=breached,
            within=met / (met + breached) if met + breached else None,
            at_risk=risky[a.id],
            breaches=breaches[a.id][0],
            excluded=breaches[a.id][1],
            findings=None if findings is None else findings.get(a.code, 0),
        )
        meeting = meetings.get(a.id)
        if meeting is not None:
            health = replace(
                health,
                next_review=meeting.scheduled_at,
                review_id=meeting.id,
                review_overdue=meeting.scheduled_at < moment,
            )
        out.append(health)
    return out


def _wanted(
    a: Agreement, customer_id: int | None, service_id: int | None, manager_id: int | None
) -> bool:
    if customer_id is not None and a.counterparty_id != customer_id:
        return False
    if manager_id is not None and a.manager_id != manager_id:
        return False
    covered = {s.service_id for v in a.versions for s in v.services}
    return service_id is None or service_id in covered


def _month(a: Agreement, now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    """The calendar month containing ``now`` in the agreement's reporting zone."""
    zone = ZoneInfo(agreements.current(a).timezone)
    local = now.astimezone(zone)
    start = dt.datetime(local.year, local.month, 1, tzinfo=zone)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end, f"{local.year}-{local.month:02d}"


@dataclass(frozen=True)
class TargetMonth:
    target: str
    name: str
    objective: float | None
    met: int
    breached: int
    open: int
    within: float | None
    on_track: bool | None  # None: nothing decided yet, or no objective


def agreement_month(
    session: Session, *, actor: Actor, agreement_id: int, now: dt.datetime | None = None
) -> tuple[str, list[TargetMonth]]:
    """Each ticket target of the agreement this month against its objective (stored
    measurements; excluded breaches count as met)."""
    a = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    start, end, period = _month(a, now or dt.datetime.now(dt.UTC))
    counts = measurement_repo.target_counts_between(session, a.id, start, end)
    excluded = alert_repo.excluded_by_target_between(session, a.id, start, end)
    rows = []
    for t in agreements.current(a).targets:
        if t.kind != "ticket":
            continue
        c = counts.get(t.key, {})
        met, breached = trends.decided(c, excluded.get(t.key, 0))
        within = met / (met + breached) if met + breached else None
        on_track = None if within is None or t.objective is None else within >= t.objective
        still = c.get("running", 0) + c.get("paused", 0)
        rows.append(TargetMonth(t.key, t.name, t.objective, met, breached, still, within, on_track))
    return period, rows
