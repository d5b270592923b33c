"""What a report page shows of a period's measurements in ONE statement (issue 17), one pass
over the period's rows: the compliance figures per target
(:mod:`servicelevel.db.repositories.reporting.compliance_figures`) with the time-used
distribution, the number of tickets, the breaches counted by target, priority and category,
and the breaches the page lists (the first ones and every excluded one) with their tickets'
numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Float,
    Integer,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from servicelevel.db.models import Measurement, Ticket
from servicelevel.db.repositories.monitoring.tickets import epoch_seconds
from servicelevel.db.repositories.reporting.compliance_figures import (
    SHARES,
    STATUSES,
    TargetFigures,
    figures_of_row,
    on_postgres,
    rank_percentiles,
    row_terms,
)


@dataclass(frozen=True)
class BreachGroup:
    """How many of the period's breaches (of any target) tickets of one priority and category
    have: counted, and excluded by decision."""

    priority: str
    category: str
    counted: int
    excluded: int


@dataclass(frozen=True)
class BreachRow:
    """One breach of the period: ``position`` among them all, earliest breached first (ties:
    by target in the order of ``targets``, then by ticket id); instants in epoch seconds."""

    position: int
    target: str
    ticket_id: int
    number: str
    priority: str
    category: str
    at: int
    stopped_at: int | None
    used: int
    budget: int
    excluded: bool


@dataclass(frozen=True)
class PeriodReport:
    """A period's figures per target (with ``shares``), the number of tickets its rows
    measure, its breaches counted by priority and category, and the breaches listed
    (earliest first)."""

    figures: dict[str, TargetFigures]
    tickets: int
    groups: list[BreachGroup]
    breaches: list[BreachRow]


# the kinds of row of period_report's statement
FIGURES, GROUPS, LISTED, TICKETS, PERCENTILES = range(5)
TEXTS = 3  # ticket number, priority, category


def period_report(
    session: Session,
    agreement_id: int,
    start: dt.datetime,
    end: dt.datetime,
    *,
    now: dt.datetime,
    excluded: dict[str, set[int]],
    targets: Sequence[str],
    listed: int | None,
    percentiles: tuple[float, ...] = (50.0, 90.0, 95.0),
) -> PeriodReport:
    """Everything a report shows of the measurements of ``targets`` in ``[start, end)`` as of
    ``now`` in one statement: the rows of the period are read once (a common table
    expression, which the database materialises as it is read four times) and four
    aggregates read them: the figures per target, the number of tickets, the breaches by
    priority and category, and the first ``listed`` breaches (all when
    ``None``) with every excluded one. Breaches are ordered by when they breached, then by
    target in the order of ``targets``, then by ticket id.

    The rows are those :func:`servicelevel.db.repositories.monitoring.measurements.period_columns`
    reads (counted in the period, or running with their deadline in it), so ``tickets``
    counts the tickets the engine's figures are of; the figures are
    :func:`~servicelevel.db.repositories.reporting.compliance_figures.period_figures`'
    of the rows that count. The materialised rows are kept narrow (the target as its
    position in ``targets``, the status as its position in :data:`STATUSES`)."""
    m = Measurement
    t = row_terms(start, end, now, excluded)
    places = {key: i for i, key in enumerate(targets)}
    position = case(places, value=m.target_key, else_=-1) if places else literal(-1)
    counted = and_(t.counts, m.target_key.in_(list(targets)))
    code = case({s: i for i, s in enumerate(STATUSES)}, value=m.status, else_=-1)
    final = case(
        (t.waived, STATUSES.index("met")), (t.late, STATUSES.index("breached")), else_=code
    )
    open_due = and_(
        m.status == "running", m.stopped_at.is_(None), m.deadline >= start, m.deadline < end
    )
    rows = (
        select(
            position.label("target"),
            m.ticket_id.label("ticket"),
            final.label("final"),
            _flag(counted).label("counts"),
            _flag(and_(counted, t.status == "breached")).label("breach"),
            _flag(t.waived).label("waived"),
            _flag(t.decided).label("decided"),
            m.used_seconds.label("used"),
            m.budget_seconds.label("budget"),
            # the distribution's bucket of a clock met or breached
            case(
                (t.status.in_(("met", "breached")), _bucket(m.used_seconds, m.budget_seconds)),
                else_=None,
            ).label("share"),
            case((t.late, m.deadline), else_=m.breached_at).label("breached_at"),
            m.stopped_at.label("stopped_at"),
        )
        .where(
            m.agreement_id == agreement_id,
            or_(and_(m.counted_at >= start, m.counted_at < end), open_due),
        )
        .cte("period_rows")
    )
    postgres = on_postgres(session)
    branches = [
        _figures_branch(rows),
        _groups_branch(rows),
        _listed_branch(session, rows, listed),
        _branch(TICKETS, (), [func.count(rows.c.ticket.distinct())]).select_from(rows),
    ]
    if postgres:
        branches.append(_percentiles_branch(rows, percentiles))
    width = max(len(b.selected_columns) for b in branches)
    query = union_all(*(_pad(b, width) for b in branches))
    figures: dict[str, dict[str, Any]] = {}
    groups: list[BreachGroup] = []
    breaches: list[BreachRow] = []
    tickets = 0
    ranks: dict[str, dict[float, int]] = {}
    for row in session.execute(query):
        kind, target, texts, values = int(row[0]), row[1], row[2 : 2 + TEXTS], row[2 + TEXTS :]
        key = "" if target is None else targets[int(target)]
        if kind == FIGURES:
            figures[key] = figures_of_row(list(values), (), SHARES)
        elif kind == PERCENTILES:
            ranked = zip(percentiles, values, strict=False)
            ranks[key] = {p: int(v) for p, v in ranked if v is not None}
        elif kind == GROUPS:
            groups.append(BreachGroup(str(texts[1]), str(texts[2]), int(values[0]), int(values[1])))
        elif kind == LISTED:
            at, stopped, used, budget, waived, ticket, place = values[:7]
            breaches.append(
                BreachRow(
                    int(place),
                    key,
                    int(ticket),
                    str(texts[0]),
                    str(texts[1]),
                    str(texts[2]),
                    int(at),
                    None if stopped is None else int(stopped),
                    int(used),
                    int(budget),
                    bool(waived),
                )
            )
        else:
            tickets = int(values[0])
    for key, found in ranks.items():
        if key in figures:
            figures[key]["percentiles"] = found
    if figures and not postgres:
        r = rows.c
        times = select(r.target, r.used).where(r.counts == 1, r.decided == 1)
        by_position = {str(targets.index(k)): v for k, v in figures.items()}
        rank_percentiles(session, times.order_by(r.target, r.used), by_position, percentiles)
    breaches.sort(key=lambda b: b.position)
    made = {k: TargetFigures(**v) for k, v in figures.items()}
    return PeriodReport(made, tickets, groups, breaches)


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _branch(kind: int, texts: Sequence[Any], values: Sequence[Any], target: Any = None) -> Any:
    """One kind of row of :func:`period_report`: its kind, the target's position, ``TEXTS``
    texts, then numbers."""
    padding = [cast(null(), String)] * (TEXTS - len(texts))
    which = cast(null(), Integer) if target is None else target
    return select(literal(kind), which, *texts, *padding, *values)


def _pad(query: Any, width: int) -> Any:
    missing = width - len(query.selected_columns)
    return query.add_columns(*[cast(null(), BigInteger)] * missing) if missing else query


def _figures_branch(rows: Any) -> Any:
    """Per target: counts by status, excluded, decided, the sum of the decided times and the
    time-used distribution (no ordered aggregate, so the rows need not be sorted)."""
    r = rows.c
    decided = r.decided == 1
    values: list[Any] = [
        *(func.count().filter(r.final == i) for i in range(len(STATUSES))),
        func.count().filter(r.waived == 1),
        func.count().filter(decided),
        func.coalesce(func.sum(r.used).filter(decided), 0),
    ]
    values += [func.count().filter(r.share == k) for k in range(SHARES)]
    query = _branch(FIGURES, (), values, r.target).select_from(rows)
    return query.where(r.counts == 1).group_by(r.target)


def _percentiles_branch(rows: Any, percentiles: tuple[float, ...]) -> Any:
    """Per target, PostgreSQL's nearest-rank percentiles of the decided times: only those
    rows' target and time are sorted."""
    r = rows.c
    values = [func.percentile_disc(cast(p / 100, Float)).within_group(r.used) for p in percentiles]
    query = _branch(PERCENTILES, (), values, r.target).select_from(rows)
    return query.where(r.counts == 1, r.decided == 1).group_by(r.target)


def _bucket(used: Any, budget: Any) -> Any:
    """Which of the distribution's buckets the share of the budget used falls in: up to 25 %,
    50 %, 75 %, 100 %, more (a zero budget: none used is 0 %, any is more). Compared in
    integers, which the engine's floating-point shares equal for any budget below 2**53."""
    return case(
        (and_(budget == 0, used == 0), 0),
        (budget <= 0, 4),
        (used * 4 <= budget, 0),
        (used * 2 <= budget, 1),
        (used * 4 <= budget * 3, 2),
        (used <= budget, 3),
        else_=4,
    )


def _labels() -> list[Any]:
    return [func.coalesce(Ticket.priority, ""), func.coalesce(Ticket.category, "")]


def _groups_branch(rows: Any) -> Any:
    """The period's breaches counted and excluded by their tickets' priority and category;
    each ticket's are added up first, so that a ticket is looked up once however many of its
    targets breached."""
    r = rows.c
    per_ticket = (
        select(
            r.ticket,
            func.count().filter(r.waived == 0).label("counted"),
            func.count().filter(r.waived == 1).label("excluded"),
        )
        .where(r.breach == 1)
        .group_by(r.ticket)
        .subquery("per_ticket")
    )
    b = per_ticket.c
    labels = _labels()
    sums = [func.sum(b.counted), func.sum(b.excluded)]
    query = _branch(GROUPS, [cast(null(), String), *labels], sums)
    query = query.select_from(per_ticket).join(Ticket, Ticket.id == b.ticket)
    return query.group_by(*labels)


def _listed_branch(session: Session, rows: Any, listed: int | None) -> Any:
    """The first ``listed`` breaches (all when ``None``) and every excluded one, each with its
    position among them all and its ticket's number, priority and category."""
    r = rows.c
    at = epoch_seconds(session, r.breached_at)
    place = func.row_number().over(order_by=(at, r.target, r.ticket)) - 1
    numbered = (
        select(
            r.target,
            r.ticket,
            at.label("at"),
            r.stopped_at,
            r.used,
            r.budget,
            r.waived,
            place.label("place"),
        )
        .where(r.breach == 1)
        .subquery("numbered")
    )
    b = numbered.c
    stopped = epoch_seconds(session, b.stopped_at)
    values = [b.at, stopped, b.used, b.budget, b.waived, b.ticket, b.place]
    query = _branch(LISTED, [Ticket.external_id, *_labels()], values, b.target)
    query = query.select_from(numbered).join(Ticket, Ticket.id == b.ticket)
    return query if listed is None else query.where(or_(b.place < listed, b.waived == 1))
