"""Tickets: reading the operational data that targets are measured on."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from servicelevel.db.models import Measurement, Ticket, TicketEvent
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories.common import Page
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.db.repositories.monitoring import tickets as repo
from servicelevel.services.identity.permissions import Actor, allowed, can_see_party, require
from servicelevel.services.shared.errors import NotFound


def list_tickets(
    session: Session,
    *,
    actor: Actor,
    customer_id: int | None = None,
    service: str | None = None,
    priority: str | None = None,
    state: str | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Ticket]:
    """Newest first; customer representatives see only their customer's tickets."""
    require(actor, "ticket.read")
    filters = {"customer_id": customer_id, "service": service, "priority": priority, "state": state}
    only = actor.parties if actor.scoped else None
    return repo.list_tickets(
        session, filters=filters, search=search, only_customers=only, offset=offset, limit=limit
    )


def get_ticket(
    session: Session, *, actor: Actor, ticket_id: int
) -> tuple[Ticket, list[TicketEvent]]:
    require(actor, "ticket.read")
    ticket = repo.ticket_by_id(session, ticket_id)
    visible = ticket is not None and can_see_party(actor, ticket.customer_id)
    if ticket is None or not visible:
        raise NotFound("no ticket {id}", id=ticket_id)
    return ticket, repo.events_of(session, ticket_id)


def openable(session: Session, *, actor: Actor, ticket_ids: Iterable[int]) -> set[int]:
    """The tickets among ``ticket_ids`` whose page ``actor`` may open, by :func:`get_ticket`'s
    rule (:func:`can_see_party` of the ticket's customer, asked of the database for many).
    Pages that list other parties' tickets by number — a supplier's UC breaches, an internal
    team's OLA clocks: the customer's tickets — link only these, never to a page that would
    answer 404."""
    ids = sorted(set(ticket_ids))
    if not ids or not allowed(actor, "ticket.read"):
        return set()
    if not actor.scoped:
        return set(ids)
    return repo.of_customers(session, ids, sorted(actor.parties))


def measurements_of(
    session: Session, *, actor: Actor, ticket_id: int
) -> list[tuple[str, Measurement]]:
    """The ticket's measurements (agreement id, as last recomputed) for the agreements the
    actor may see."""
    get_ticket(session, actor=actor, ticket_id=ticket_id)
    rows = measurement_repo.of_ticket(session, ticket_id)
    codes = {
        a.id: a for a in agreement_repo.agreements_by_ids(session, {m.agreement_id for m in rows})
    }
    return [
        (codes[m.agreement_id].code, m)
        for m in rows
        if m.agreement_id in codes and can_see_party(actor, codes[m.agreement_id].counterparty_id)
    ]
