"""The review register as it is exported (PDF, XLSX) and shown: every review the reader may
see, newest first, with its agreement, counterparty, period, chair, outcome, attendance and
actions — agreement titles and party names in the reader's language where they were given in
it (as the service report shows them), else as entered."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import reviews as repo
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.reviews.meetings import is_overdue, list_meetings, period_label


@dataclass(frozen=True)
class RegisterRow:
    """One line of the review register as it is exported."""

    id: int
    agreement: str
    agreement_title: str
    kind: str
    counterparty: str
    period: str
    scheduled_at: dt.datetime
    chair: str
    status: str
    overdue: bool
    outcome: str
    held_at: dt.datetime | None
    attended: int
    invited: int
    decisions: int
    actions_open: int
    actions_done: int


def register(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int | None = None,
    status: str | None = None,
    now: dt.datetime | None = None,
    language: str = "en",
) -> list[RegisterRow]:
    """Every review the actor may see, newest first, with its outcome and actions, named in
    ``language`` (en, zh-Hans or zh-Hant; ``zh_Hans`` is read the same)."""
    moment = now or dt.datetime.now(dt.UTC)
    tag = language.replace("_", "-")
    page = list_meetings(
        session, actor=actor, agreement_id=agreement_id, status=status, limit=100_000
    )
    meetings = page.items
    heads = agreement_repo.heads(session, {m.agreement_id for m in meetings})
    found_agreements = agreement_repo.agreements_by_ids(session, list(heads))
    kinds = {a.id: a.kind for a in found_agreements}
    titles = {a.id: _in(tag, a.titles, a.title) for a in found_agreements}
    names = {
        p.id: _in(tag, p.names, p.name)
        for p in catalog_repo.parties_by_ids(session, {p for _, _, p in heads.values()})
    }
    chairs = identity_repo.display_names(session, {m.chair_id for m in meetings if m.chair_id})
    found = repo.actions_of(session, meeting_ids=[m.id for m in meetings])
    people = repo.participants_of_many(session, [m.id for m in meetings])
    rows = []
    for m in meetings:
        code, title, party = heads.get(m.agreement_id, ("", "", 0))
        mine = [a for a in found if a.meeting_id == m.id]
        invited = people.get(m.id, [])
        rows.append(
            RegisterRow(
                id=m.id,
                agreement=code,
                agreement_title=titles.get(m.agreement_id, title),
                kind=kinds.get(m.agreement_id, ""),
                counterparty=names.get(party, ""),
                period=period_label(m, tag.replace("-", "_")),
                scheduled_at=m.scheduled_at,
                chair=chairs.get(m.chair_id or 0, ""),
                status=m.status,
                overdue=is_overdue(m, moment),
                outcome=m.outcome,
                held_at=m.held_at,
                attended=sum(1 for p in invited if p.attended),
                invited=len(invited),
                decisions=len(m.decisions.get("items", [])),
                actions_open=sum(1 for a in mine if a.status == "open"),
                actions_done=sum(1 for a in mine if a.status == "done"),
            )
        )
    return rows


def _in(tag: str, given: dict[str, object], default: str) -> str:
    """The text given in the language ``tag``, else the one entered (English by convention)."""
    found = given.get(tag) if isinstance(given, dict) else None
    return found if isinstance(found, str) and found.strip() else default
