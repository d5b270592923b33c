"""Tickets as a queue: paged, sorted and filtered in the database, each ticket with the clock
that matters most for it (see ``db.repositories.ticket_queue``), for the web page and the API
alike — so that a dashboard figure and the filtered list behind it can never disagree.

The clock columns are read from the stored measurements of the agreements in force (or of the
one agreement asked for): a running clock's time left is the real time to its deadline, which
stands still while nothing happens to the ticket; a paused clock's is the working time left on
its budget; the share used is as of the last recomputation, and all of it once the deadline
has passed (overdue and "more than the budget used" are the same statement).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.db.repositories.monitoring import queue as repo
from servicelevel.db.repositories.monitoring.queue import QueueRow
from servicelevel.db.repositories.reporting import health as health_repo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.errors import Invalid

# A running clock is at risk when its deadline is this close: the queue's "at risk" status, the
# dashboards' and the portfolio's counts.
AT_RISK = dt.timedelta(hours=4)

__all__ = [
    "AT_RISK",
    "Choices",
    "QueueFilter",
    "QueuePage",
    "QueueRow",
    "clock_counts",
    "clock_counts_by_agreement",
    "queue",
]

SORTS = ("deadline", "left", "used", "opened", "priority")
CLOCKS = ("running", "at_risk", "overdue", "paused", "met", "breached")
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters as they appear in a URL: party code, service code, priority,
    agreement id, clock status."""

    customer: str | None = None
    service: str | None = None
    priority: str | None = None
    agreement: int | None = None
    clock: str | None = None
    state: str | None = None
    q: str | None = None  # in the number or the title
    customer_id: int | None = None  # the API's older filter, by id

    def params(self) -> dict[str, str]:
        """The filters set, as query parameters."""
        return {k: str(v) for k, v in self.__dict__.items() if v is not None and v != ""}


@dataclass(frozen=True)
class Choice:
    value: str
    name: str
    names: dict[str, str]


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    total: int
    offset: int
    page_size: int
    sort: str
    filters: QueueFilter
    agreements: dict[int, str] = field(default_factory=dict)  # id → code, for the rows
    targets: dict[tuple[int, str], Choice] = field(default_factory=dict)  # their names
    services: dict[str, Choice] = field(default_factory=dict)  # code → name, for the rows

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def page(self) -> int:
        return self.offset // self.page_size + 1


def check_paging(sort: str, page: int, page_size: int) -> tuple[str, bool]:
    """The sort key and direction (``-`` first for descending), refusing what is not offered."""
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise Invalid(
            "unknown sort {sort}; one of {choices}", "sort", sort=sort, choices=", ".join(SORTS)
        )
    if page < 1:
        raise Invalid("page numbers start at 1", "page")
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise Invalid("a page holds 1 to {most} rows", "page_size", most=MAX_PAGE_SIZE)
    return key, sort.startswith("-")


def queue(
    session: Session,
    *,
    actor: Actor,
    filters: QueueFilter,
    now: dt.datetime,
    sort: str = "deadline",
    page: int = 1,
    page_size: int = PAGE_SIZE,
    offset: int | None = None,
) -> QueuePage:
    """One page of the tickets the actor may see (a representative: their customer's only,
    with the clocks of their own agreements only); ``offset``, when given, instead of the
    page number (the API's ``offset``/``limit`` paging)."""
    require(actor, "ticket.read")
    key, descending = check_paging(sort, page, page_size)
    query = _query(session, actor, filters, now, key, descending)
    offset = (page - 1) * page_size if offset is None else offset
    rows, total = repo.queue_page(session, query, offset, page_size)
    found = agreement_repo.agreements_by_ids(
        session, {r.agreement_id for r in rows if r.agreement_id}
    )
    targets = {
        (a.id, t.key): Choice(t.key, t.name or t.key, t.names)
        for a in found
        for t in agreements.current(a).targets
    }
    services = catalog_repo.services_by_codes(session, sorted({r.ticket.service for r in rows}))
    return QueuePage(
        rows,
        total,
        offset,
        page_size,
        sort,
        filters,
        {a.id: a.code for a in found},
        targets,
        {s.code: Choice(s.code, s.name, s.names) for s in services},
    )


def clock_counts(
    session: Session, *, actor: Actor, filters: QueueFilter, now: dt.datetime
) -> dict[str, int]:
    """How many of the queue's tickets (its filters but the clock) have each clock status:
    what the queue shows with ``clock=<status>`` added, in one query."""
    require(actor, "ticket.read")
    query = _query(session, actor, filters, now, "deadline", False)
    found = repo.clock_counts(session, query)
    return {c: found.get(c, 0) for c in (*CLOCKS, "pending", "cancelled")}


def clock_counts_by_agreement(
    session: Session, *, actor: Actor, agreement_ids: list[int], now: dt.datetime
) -> dict[int, dict[str, int]]:
    """:func:`clock_counts` with each agreement as filter, for several at once (one query);
    agreements the actor may not see are left out."""
    require(actor, "ticket.read")
    visible = set(_agreements(session, actor, None)) if actor.scoped else None
    wanted = [i for i in agreement_ids if visible is None or i in visible]
    query = _query(session, actor, QueueFilter(), now, "deadline", False)
    found = repo.clock_counts_by_agreement(session, replace(query, agreements=wanted))
    return {i: {c: found[i].get(c, 0) for c in (*CLOCKS, "pending", "cancelled")} for i in wanted}


def _query(
    session: Session,
    actor: Actor,
    filters: QueueFilter,
    now: dt.datetime,
    key: str,
    descending: bool,
) -> repo.QueueQuery:
    if filters.clock is not None and filters.clock not in CLOCKS:
        raise Invalid(
            "unknown clock status {clock}; one of {choices}",
            "clock",
            clock=filters.clock,
            choices=", ".join(CLOCKS),
        )
    return repo.QueueQuery(
        agreements=_agreements(session, actor, filters.agreement),
        now=now,
        at_risk_before=now + AT_RISK,
        customer_id=_customer(session, actor, filters.customer) or filters.customer_id,
        only_customers=actor.parties if actor.scoped else None,
        service=filters.service or None,
        priority=filters.priority or None,
        clock=filters.clock,
        state=filters.state or None,
        search=filters.q or None,
        measured_only=filters.agreement is not None,
        sort=key,
        descending=descending,
    )


def _customer(session: Session, actor: Actor, code: str | None) -> int | None:
    """The party behind a code; one the actor may not see is as unknown as one that is not."""
    if not code:
        return None
    party = party_repo.party_by_code(session, code)
    if party is None or (actor.scoped and party.id not in actor.parties):
        raise Invalid("no customer {code}", "customer", code=code)
    return party.id


def _agreements(session: Session, actor: Actor, agreement: int | None) -> list[int]:
    """Whose clocks count: the one agreement asked for, else every agreement in force, of
    those the actor may see."""
    if agreement is not None:
        head = agreement_repo.heads(session, [agreement]).get(agreement)
        if head is None or (actor.scoped and head[2] not in actor.parties):
            raise Invalid("no agreement {id}", "agreement", id=agreement)
        return [agreement]
    ids = health_repo.in_force_ids(session)
    if actor.scoped:
        mine = set(agreement_repo.ids_of_parties(session, actor.parties))
        ids = [i for i in ids if i in mine]
    return ids


@dataclass(frozen=True)
class Choices:
    """What the queue's filters offer the actor: the customers, services and agreements they
    may see."""

    customers: list[Choice]
    services: list[Choice]
    agreements: list[Choice]


def choices(session: Session, *, actor: Actor) -> Choices:
    require(actor, "ticket.read")
    customers = parties.list_parties(session, actor=actor, kind="customer", limit=500).items
    services = catalog.list_services(session, actor=actor, limit=500).items
    found = agreements.list_agreements(session, actor=actor, limit=500).items
    return Choices(
        [Choice(p.code, p.name, p.names) for p in customers],
        [Choice(s.code, s.name, s.names) for s in services],
        [
            Choice(
                str(a.id),
                f"{a.code} · {a.title}",
                {k: f"{a.code} · {v}" for k, v in a.titles.items()},
            )
            for a in found
        ],
    )
