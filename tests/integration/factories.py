"""Fixed personas and records for integration tests.

owner (process owner), manager, admin (administrator), customer_rep (for customer ACME),
outsider (customer representative of another customer, GLOBEX), viewer (auditor).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM, Actor
from servicelevel.services.parties import directory as parties

PASSWORD = "correct horse battery"
PERSONAS = {
    "owner": [RoleGrant("process_owner")],
    "manager": [RoleGrant("service_level_manager")],
    "admin": [RoleGrant("service_level_administrator")],
    "customer_rep": [RoleGrant("customer_representative", "ACME")],
    "outsider": [RoleGrant("customer_representative", "GLOBEX")],
    "viewer": [RoleGrant("viewer")],
}


@dataclass(frozen=True)
class World:
    actors: dict[str, Actor]
    acme_id: int
    globex_id: int


def build_world(session: Session) -> World:
    acme = parties.create_party(
        session,
        actor=SYSTEM,
        data=parties.PartyData("ACME", "customer", "Acme Corp", {"zh-Hans": "阿克米"}),
    )
    globex = parties.create_party(
        session, actor=SYSTEM, data=parties.PartyData("GLOBEX", "customer", "Globex", {})
    )
    actors = {}
    for name, roles in PERSONAS.items():
        user = identity.create_user(
            session, actor=SYSTEM, username=name, password=PASSWORD, roles=roles
        )
        actors[name] = identity.actor_for(session, user)
    session.flush()
    return World(actors, acme.id, globex.id)
