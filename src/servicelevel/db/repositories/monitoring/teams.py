"""Set-based reads per team (the team a ticket's events name, ``changes.attributes.team``): the
OLAs held by a team, the breaches of any agreement while a team held the ticket, and the tickets
handed to a team — one statement each, whatever the number of teams or tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ScalarSelect, distinct, func, or_, select
from sqlalchemy.orm import Session

from servicelevel.db.models import AgreementTarget, AgreementVersion, Breach, TicketEvent


def _named() -> Any:
    """The team an event names (its ``attributes.team``), as a string expression."""
    return TicketEvent.changes["attributes"]["team"].as_string()


def held_at_breach() -> ScalarSelect[Any]:
    """Per breach row, the team holding its ticket when its target was breached: the last team
    the ticket's events named by then (as ``services.monitoring.breaches.teams_at_breach`` reads
    it)."""
    team = _named()
    return (
        select(team)
        .where(
            TicketEvent.ticket_id == Breach.ticket_id,
            TicketEvent.at <= Breach.breached_at,
            team.is_not(None),
            team != "",
        )
        .order_by(TicketEvent.seq.desc())
        .limit(1)
        .correlate(Breach)
        .scalar_subquery()
    )


def holding_agreements(session: Session) -> dict[int, set[str]]:
    """``agreement → teams`` that some target of one of its versions is held by."""
    query = (
        select(AgreementVersion.agreement_id, AgreementTarget.held_by)
        .join(AgreementVersion, AgreementVersion.id == AgreementTarget.version_id)
        .where(AgreementTarget.held_by != "")
        .distinct()
    )
    out: dict[int, set[str]] = {}
    for agreement_id, team in session.execute(query):
        out.setdefault(int(agreement_id), set()).add(str(team))
    return out


def breaches_by_team(
    session: Session, start: dt.datetime, end: dt.datetime, agreements: list[int] | None = None
) -> dict[str, tuple[int, int]]:
    """``team → (breaches, excluded)`` of ticket targets breached in ``[start, end)`` while the
    team held the ticket (withdrawn ones left out; breaches of tickets naming no team too)."""
    conditions = [
        Breach.kind == "ticket",
        Breach.status != "withdrawn",
        Breach.breached_at >= start,
        Breach.breached_at < end,
    ]
    if agreements is not None:
        conditions.append(Breach.agreement_id.in_(agreements))
    rows = select(held_at_breach().label("team"), Breach.excluded).where(*conditions).subquery()
    query = (
        select(rows.c.team, rows.c.excluded, func.count())
        .where(rows.c.team.is_not(None))
        .group_by(rows.c.team, rows.c.excluded)
    )
    counts: dict[str, dict[bool, int]] = {}
    for team, excluded, n in session.execute(query):
        counts.setdefault(str(team), {})[bool(excluded)] = int(n)
    return {t: (c.get(False, 0) + c.get(True, 0), c.get(True, 0)) for t, c in counts.items()}


def handed_to(session: Session, start: dt.datetime, end: dt.datetime) -> dict[str, int]:
    """``team → tickets handed to it in [start, end)``: tickets with an event in the period
    naming the team where the previous event naming a team named another (or none did), each
    ticket counted once per team."""
    team = _named()
    in_period = select(TicketEvent.ticket_id).where(TicketEvent.at >= start, TicketEvent.at < end)
    named = (
        select(
            TicketEvent.ticket_id.label("ticket_id"),
            TicketEvent.at.label("at"),
            team.label("team"),
            func.lag(team)
            .over(partition_by=TicketEvent.ticket_id, order_by=TicketEvent.seq)
            .label("before"),
        )
        .where(team.is_not(None), team != "", TicketEvent.ticket_id.in_(in_period))
        .subquery()
    )
    query = (
        select(named.c.team, func.count(distinct(named.c.ticket_id)))
        .where(
            named.c.at >= start,
            named.c.at < end,
            or_(named.c.before.is_(None), named.c.before != named.c.team),
        )
        .group_by(named.c.team)
    )
    return {str(t): int(n) for t, n in session.execute(query)}
