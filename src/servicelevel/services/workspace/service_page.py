"""A service as pages show it: its record with the names of everything it points at, read in a
fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.db.models import CalendarRecord, Party, Service, WorkItem
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as repo
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog.offerings import get_service
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor, allowed
from servicelevel.services.parties import directory as parties
from servicelevel.services.requirements import capture as requirements


@dataclass(frozen=True)
class ServiceView:
    service: Service
    calendar: CalendarRecord | None
    owner: str
    approved_by: str
    dependencies: list[Party]
    work_items: list[WorkItem]  # empty for those who may not read the work list
    demands: list[requirements.Demand]  # the customers' requirements, consolidated


def describe_service(session: Session, *, actor: Actor, service_id: int) -> ServiceView:
    service = get_service(session, actor=actor, service_id=service_id)
    names = repo.usernames(
        session, {i for i in (service.owner_id, service.approved_by_id) if i is not None}
    )
    calendar = None
    if service.calendar_id is not None:
        calendar = calendar_repo.calendar_by_id(session, service.calendar_id)
    items: list[WorkItem] = []
    if allowed(actor, "work.read"):
        page = repo.list_work_items(
            session, status=None, service_id=service.id, offset=0, limit=100
        )
        items = page.items
    return ServiceView(
        service=service,
        calendar=calendar,
        owner=names.get(service.owner_id or 0, ""),
        approved_by=names.get(service.approved_by_id or 0, ""),
        dependencies=repo.parties_by_ids(session, {d.party_id for d in service.dependencies}),
        work_items=items,
        demands=requirements.consolidated(session, actor=actor, service_id=service.id),
    )


def form_choices(
    session: Session, *, actor: Actor
) -> tuple[list[CalendarRecord], list[Party], dict[int, str]]:
    """What a service form offers: calendars, internal teams and suppliers, and staff users."""
    cals = calendars.list_calendars(session, actor=actor, limit=500).items
    providers = [
        p
        for kind in ("internal_team", "supplier")
        for p in parties.list_parties(session, actor=actor, kind=kind, limit=500).items
    ]
    users, _ = identity.list_users(session, actor=actor, limit=500)
    return cals, providers, {u.id: u.username for u in users}
