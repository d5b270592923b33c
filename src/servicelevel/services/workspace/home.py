"""The operational home of each role: what needs attention now, and how the agreements did over
a period the reader picks.

Every figure is counted by the same service call as the list it links to (the ticket queue's
clock counts for ``/tickets?clock=…``, the breach list's total for ``/breaches?status=open``…),
so a figure and the list behind it cannot disagree. Charts read stored measurements, breach
records and recorded outages; nothing is re-evaluated ticket by ticket.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories.reporting import health as health_repo
from servicelevel.engine.availability import availability
from servicelevel.engine.periods import Period
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.agreements import underpinning
from servicelevel.services.agreements.for_engine import engine_agreement
from servicelevel.services.identity.permissions import Actor, allowed, require
from servicelevel.services.monitoring import breaches, outages
from servicelevel.services.monitoring import queue as ticket_queue
from servicelevel.services.monitoring.queue import QueueFilter
from servicelevel.services.reporting import trends
from servicelevel.services.reviews import meetings as reviews
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import Invalid

PERIODS = (3, 6, 12)  # months a reader may pick


@dataclass(frozen=True)
class Figure:
    """A count and the address of the list it counts."""

    key: str
    count: int
    href: str


def attention(session: Session, *, actor: Actor, now: dt.datetime) -> list[Figure]:
    """What needs attention now, for the reader: clocks at risk and overdue (tickets), paused
    clocks, breaches still open, agreements expiring, reviews overdue and scheduled, open work
    items and underpinning findings — each only where the reader may see that list."""
    clocks = ticket_queue.clock_counts(session, actor=actor, filters=QueueFilter(), now=now)
    out = [Figure(k, clocks[k], f"/tickets?clock={k}") for k in ("overdue", "at_risk", "paused")]
    open_breaches = breaches.list_breaches(session, actor=actor, status="open", limit=1)
    out.append(Figure("breaches", open_breaches.total, "/breaches?status=open"))
    expiring = agreements.list_agreements(session, actor=actor, status="expiring", limit=1)
    out.append(Figure("expiring", expiring.total, "/agreements?status=expiring"))
    late = reviews.list_meetings(session, actor=actor, overdue=True, now=now, limit=1)
    out.append(Figure("reviews_overdue", late.total, "/reviews?status=overdue"))
    planned = reviews.list_meetings(session, actor=actor, status="scheduled", limit=1)
    out.append(Figure("reviews_scheduled", planned.total, "/reviews?status=scheduled"))
    if allowed(actor, "work.read"):
        items = work.list_work(session, actor=actor, status="open", limit=1)
        out.append(Figure("work", items.total, "/work"))
    if allowed(actor, "underpinning.read"):
        found = underpinning.portfolio_findings(session, actor=actor)
        out.append(Figure("findings", len(found), "/portfolio"))
    return out


@dataclass(frozen=True)
class Line:
    agreement_id: int
    code: str
    title: str
    titles: dict[str, str]
    label: str  # the agreement's code, or code · availability target
    values: list[float | None]  # one per month


@dataclass(frozen=True)
class Charts:
    months: list[str]
    compliance: list[Line]  # ticket targets pooled, per agreement
    availability: list[Line]  # per availability target
    weeks: list[dt.date]  # Mondays
    breaches: list[int]  # breach records per week


def charts(session: Session, *, actor: Actor, months: int, now: dt.datetime) -> Charts:
    """Compliance per agreement month by month, availability per availability target, and
    breaches per week, over the last ``months`` months (this one included)."""
    require(actor, "agreement.read")
    if months not in PERIODS:
        raise Invalid("pick a period of 3, 6 or 12 months", "months")
    in_force = agreement_repo.agreements_by_ids(session, health_repo.in_force_ids(session))
    loaded = [a for a in in_force if agreements.can_see(actor, a)]
    labels: list[str] = []
    compliance, uptime = [], []
    for a in loaded:
        periods = _months(a, months, now)
        labels = labels or [p.label for p in periods]
        compliance.append(_line(a, a.code, _pooled(session, a, periods)))
        uptime += _availability(session, a, periods, now)
    weeks, counts = breaches_by_week(session, actor=actor, weeks=_weeks(months), now=now)
    return Charts(labels, compliance, uptime, weeks, counts)


def _months(a: Agreement, months: int, now: dt.datetime) -> list[Period]:
    timezone = agreements.current(a).timezone
    today = now.date()
    first = dt.date(today.year, today.month, 1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return trends.months_between(first, today, timezone)


def _pooled(session: Session, a: Agreement, periods: list[Period]) -> list[float | None]:
    """The share of the agreement's ticket clocks decided within budget, each month (its ticket
    targets together; an excluded breach counts as met)."""
    per_target = trends.by_target(session, a, periods)
    out: list[float | None] = []
    for i in range(len(periods)):
        pooled = trends.pooled([t.months[i] for t in per_target]) if per_target else None
        out.append(None if pooled is None else pooled.within)
    return out


def _line(a: Agreement, label: str, values: list[float | None]) -> Line:
    return Line(a.id, a.code, a.title, dict(a.titles), label, values)


def _availability(
    session: Session, a: Agreement, periods: list[Period], now: dt.datetime
) -> list[Line]:
    """Each availability target's availability per month from recorded outages, within the
    target's calendar (as the service report computes it); months not begun are left out."""
    version = agreements.in_force(a) or agreements.current(a)
    try:
        engine = engine_agreement(session, a, version)
    except Invalid:
        return []  # an agreement the engine cannot read says so on its own page
    moment = int(now.timestamp())
    lines = []
    for target in engine.availability:
        calendar = engine.calendars[target.calendar]
        spans = outages.spans_between(session, target.service, periods[0].start, periods[-1].end)
        values: list[float | None] = []
        for p in periods:
            if p.start >= moment:
                values.append(None)
                continue
            found = availability(spans, calendar, p.start, p.end, target.objective, as_of=moment)
            values.append(found.availability)
        lines.append(_line(a, f"{a.code} · {target.id}", values))
    return lines


def _weeks(months: int) -> int:
    return {3: 13, 6: 26, 12: 52}[months]


def breaches_by_week(
    session: Session, *, actor: Actor, weeks: int, now: dt.datetime
) -> tuple[list[dt.date], list[int]]:
    """Breach records (not withdrawn) per week, Monday to Monday in UTC, the last ``weeks``
    weeks up to this one — counted by the breach list the reader can open."""
    monday = now.date() - dt.timedelta(days=now.weekday())
    starts = [monday - dt.timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
    since = dt.datetime.combine(starts[0], dt.time(), dt.UTC)
    found = breaches.list_breaches(
        session, actor=actor, since=since, until=now, limit=100_000, current=True
    )
    counts = [0] * weeks
    for b in found.items:
        i = (b.breached_at.date() - starts[0]).days // 7
        if 0 <= i < weeks:
            counts[i] += 1
    return starts, counts


def week_of(text: str) -> tuple[dt.date, dt.datetime, dt.datetime]:
    """The week a bar of the dashboard's breaches chart stands for: its Monday (``YYYY-MM-DD``)
    and the instants it spans, Monday to Monday in UTC as the chart counts them."""
    try:
        monday = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(
            "a week is given by its Monday, written YYYY-MM-DD, not {text}", "week", text=text
        ) from None
    if monday.weekday() != 0:
        raise Invalid(
            "a week is given by its Monday, written YYYY-MM-DD, not {text}", "week", text=text
        )
    since = dt.datetime.combine(monday, dt.time(), dt.UTC)
    return monday, since, since + dt.timedelta(weeks=1)
