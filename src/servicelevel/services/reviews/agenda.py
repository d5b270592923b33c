"""A review meeting's agenda, filled from the data of the period under review (PROCESS.md
§3.1: the trends of the main services, the service level events, SIP proposals, the service
reports; SLM5: the customer's satisfaction).

The agenda is plain JSON so that it can be kept on the meeting exactly as it stood when the
meeting was held — later recomputations do not rewrite what a meeting discussed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, ReviewMeeting
from servicelevel.db.repositories import reviews as repo
from servicelevel.db.repositories.monitoring import alerts as alert_repo
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.db.repositories.reporting import reports as report_repo
from servicelevel.engine.periods import PeriodError, parse_period
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.reporting import trends
from servicelevel.services.satisfaction import surveys

NEAR_MISS = 0.9  # a clock met after using this share of its budget is a near miss
LISTED = 100  # breaches and near misses listed by name; the counts cover all


def build(session: Session, meeting: ReviewMeeting, agreement: Agreement) -> dict[str, Any]:
    """Everything the meeting should look at, for ``[period_start, period_end)``."""
    zone = agreements.current(agreement).timezone
    periods = trends.months_between(meeting.period_start, meeting.period_end, zone)
    start = dt.datetime.fromtimestamp(periods[0].start, dt.UTC)
    end = dt.datetime.fromtimestamp(periods[-1].end, dt.UTC)
    return {
        "period": {
            "start": meeting.period_start.isoformat(),
            "end": meeting.period_end.isoformat(),
        },
        "trends": _trends(session, agreement, periods),
        "breaches": _breaches(session, agreement.id, start, end),
        "near_misses": _near_misses(session, agreement.id, start, end),
        "reports": _reports(session, agreement.id, meeting, zone),
        "proposals": _proposals(session, agreement, start),
        "satisfaction": _satisfaction(session, agreement, meeting),
        "open_actions": _open_actions(session, agreement.id),
    }


def _trends(session: Session, agreement: Agreement, periods: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "target": t.target,
            "name": t.name,
            "objective": t.objective,
            "months": [
                {"period": m.period, "met": m.met, "breached": m.breached, "within": m.within}
                for m in t.months
            ],
        }
        for t in trends.by_target(session, agreement, periods)
    ]


def _breaches(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    """The period's breaches (excluded ones listed with their reason). Withdrawn breaches
    — a recomputation found the clock met after all — are neither listed nor counted, so the
    total is the length of the list whenever it is not cut at :data:`LISTED`."""
    page = alert_repo.list_breaches(
        session,
        agreements=None,
        agreement_id=agreement_id,
        since=start,
        until=end,
        limit=LISTED,
        current=True,
    )
    found = page.items
    numbers = monitoring_repo.ticket_heads(session, [b.ticket_id for b in found if b.ticket_id])
    items = [
        {
            "id": b.id,
            "target": b.target_key,
            "kind": b.kind,
            "ticket": numbers.get(b.ticket_id, {}).get("ticket", "") if b.ticket_id else "",
            "breached_at": b.breached_at.isoformat(),
            "overrun_seconds": b.overrun_seconds,
            "achieved": b.achieved,
            "excluded": b.excluded,
            "reason": b.exclusion_reason,
        }
        for b in found
    ]
    return {"total": page.total, "items": items}


def _near_misses(
    session: Session, agreement_id: int, start: dt.datetime, end: dt.datetime
) -> dict[str, Any]:
    total, rows = measurement_repo.near_misses(session, agreement_id, start, end, NEAR_MISS, LISTED)
    numbers = monitoring_repo.ticket_heads(session, [ticket for _, ticket, _, _ in rows])
    items = [
        {
            "target": target,
            "ticket": numbers.get(ticket, {}).get("ticket", ""),
            "used_seconds": used,
            "budget_seconds": budget,
        }
        for target, ticket, used, budget in rows
    ]
    return {"total": total, "share": NEAR_MISS, "items": items}


def _reports(
    session: Session, agreement_id: int, meeting: ReviewMeeting, zone: str
) -> list[dict[str, Any]]:
    """Published reports whose period starts inside the period under review: one entry per
    revision (a revision holds all its languages: ``languages`` maps each to its report)."""
    page = report_repo.list_reports(
        session, agreement_id=agreement_id, only_parties=None, offset=0, limit=500
    )
    found: dict[tuple[str, int], dict[str, Any]] = {}
    for r in page.items:
        try:
            first = parse_period(r.period, zone).first
        except PeriodError:
            continue
        if not meeting.period_start <= first < meeting.period_end:
            continue
        entry = found.setdefault(
            (r.period, r.revision),
            {
                "id": r.id,
                "period": r.period,
                "revision": r.revision,
                "published_at": r.published_at.isoformat(),
                "languages": {},
            },
        )
        entry["languages"][r.language] = r.id
        if r.language == "en":
            entry["id"] = r.id
    return [found[k] for k in sorted(found)]


def _proposals(session: Session, agreement: Agreement, since: dt.datetime) -> list[dict[str, Any]]:
    services = [s.service_id for s in agreements.current(agreement).services]
    return [
        {"id": p.id, "code": p.code, "title": p.title, "origin": p.origin}
        for p in repo.proposals_for(session, agreement.id, services, since)
    ]


def _satisfaction(session: Session, agreement: Agreement, meeting: ReviewMeeting) -> dict[str, Any]:
    found = surveys.between(
        session, agreement.counterparty_id, meeting.period_start, meeting.period_end
    )
    summary = surveys.summarise(found)
    return {
        "count": summary.count,
        "mean": summary.mean,
        "low": [
            {"id": s.id, "score": s.score, "scale": s.scale, "comments": s.comments[:300]}
            for s in found
            if surveys.is_low(s)
        ],
    }


def _open_actions(session: Session, agreement_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": a.id,
            "title": a.title,
            "owner": a.owner_name,
            "due_on": a.due_on.isoformat(),
            "meeting_id": a.meeting_id,
        }
        for a in repo.open_actions_of_agreement(session, agreement_id)
    ]
