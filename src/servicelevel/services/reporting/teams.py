"""Per-team attainment for the provider's own people: for a month (UTC), each team a ticket's
events name or an OLA is held by, with

- the OLAs it holds (agreements with a target ``held_by`` the team) and their compliance that
  month, from the stored measurements and breach records as the portfolio dashboard reads
  them (excluded breaches count as met) — never a re-evaluation;
- the breaches of any agreement while the team held the ticket (the last team its events
  named by the breach);
- the tickets handed to the team that month.

Teams are internal: customers' and suppliers' representatives (and team members, who see only
their own party's agreements) may not read it."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories.monitoring import teams as team_repo
from servicelevel.db.repositories.reporting import health as health_repo
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.reporting import trends
from servicelevel.services.shared.errors import Invalid

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
IN_FORCE = ("active", "expiring", "signed")
ENDED = ("expired", "terminated", "renewed")  # shown for a month they measured tickets in


@dataclass(frozen=True)
class HeldAgreement:
    """An OLA (or any agreement) with a target held by the team, and its month."""

    agreement_id: int
    code: str
    title: str
    kind: str
    met: int
    breached: int
    within: float | None


@dataclass(frozen=True)
class TeamFigures:
    team: str
    agreements: list[HeldAgreement]
    met: int  # over the agreements it holds
    breached: int
    within: float | None
    breaches: int  # of any agreement, while the team held the ticket
    excluded: int  # of those, excluded by decision
    handed: int  # tickets handed to the team


@dataclass(frozen=True)
class Attainment:
    period: str  # YYYY-MM
    start: dt.datetime
    end: dt.datetime
    teams: list[TeamFigures]


def month_of(period: str | None, now: dt.datetime) -> tuple[str, dt.datetime, dt.datetime]:
    """The month ``period`` names (``YYYY-MM``), else the one holding ``now``, in UTC."""
    if period:
        found = MONTH.fullmatch(period.strip())
        if found is None:
            raise Invalid("a period is a month written YYYY-MM, not {text}", "period", text=period)
        year, month = int(found[1]), int(found[2])
    else:
        utc = now.astimezone(dt.UTC)
        year, month = utc.year, utc.month
    start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return f"{year}-{month:02d}", start, end


def attainment(
    session: Session, *, actor: Actor, period: str | None = None, now: dt.datetime
) -> Attainment:
    """Every team's month (see the module), teams by name."""
    require(actor, "team.read")
    label, start, end = month_of(period, now)
    held = team_repo.holding_agreements(session)
    found = agreement_repo.agreements_by_ids(session, held)
    windows = {a.id: (start, end) for a in found if a.status in IN_FORCE + ENDED}
    counts = health_repo.status_counts(session, windows)
    excluded = health_repo.breach_counts(session, windows)
    chosen = [a for a in found if a.status in IN_FORCE or (a.id in windows and counts[a.id])]
    by_team: dict[str, list[HeldAgreement]] = {}
    for a in chosen:
        met, breached = trends.decided(counts[a.id], excluded[a.id][1])
        row = HeldAgreement(a.id, a.code, a.title, a.kind, met, breached, _share(met, breached))
        for team in sorted(held[a.id]):
            by_team.setdefault(team, []).append(row)
    breaches = team_repo.breaches_by_team(session, start, end)
    handed = team_repo.handed_to(session, start, end)
    teams = []
    for team in sorted(set(by_team) | set(breaches) | set(handed)):
        rows = by_team.get(team, [])
        met, breached = sum(r.met for r in rows), sum(r.breached for r in rows)
        missed, excused = breaches.get(team, (0, 0))
        teams.append(
            TeamFigures(
                team=team,
                agreements=rows,
                met=met,
                breached=breached,
                within=_share(met, breached),
                breaches=missed,
                excluded=excused,
                handed=handed.get(team, 0),
            )
        )
    return Attainment(period=label, start=start, end=end, teams=teams)


def _share(met: int, breached: int) -> float | None:
    return met / (met + breached) if met + breached else None
