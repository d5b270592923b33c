"""Parties: permissions, scoping, validation, versions and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import AuditEntry
from servicelevel.services.parties import directory as parties
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid, NotFound
from tests.integration.factories import World


def test_customer_rep_sees_only_their_customer(session: Session, world: World) -> None:
    page = parties.list_parties(session, actor=world.actors["customer_rep"])
    assert [p.code for p in page.items] == ["ACME"]
    with pytest.raises(NotFound):
        parties.get_party(session, actor=world.actors["customer_rep"], party_id=world.globex_id)
    assert parties.list_parties(session, actor=world.actors["viewer"]).total == 2


def test_only_staff_change_parties(session: Session, world: World) -> None:
    data = parties.PartyData("INITECH", "supplier", "Initech", {})
    for name in ("customer_rep", "viewer"):
        with pytest.raises(Forbidden):
            parties.create_party(session, actor=world.actors[name], data=data)
    created = parties.create_party(session, actor=world.actors["admin"], data=data)
    assert created.kind == "supplier"


def test_bad_fields_are_named(session: Session, world: World) -> None:
    admin = world.actors["admin"]
    with pytest.raises(Invalid) as caught:
        parties.create_party(session, actor=admin, data=parties.PartyData("X", "alien", "X", {}))
    assert caught.value.field == "kind"
    with pytest.raises(Conflict) as dup:
        parties.create_party(
            session, actor=admin, data=parties.PartyData("ACME", "customer", "Again", {})
        )
    assert dup.value.field == "code"


def test_an_update_needs_the_current_version_and_is_audited(session: Session, world: World) -> None:
    manager = world.actors["manager"]
    party = parties.update_party(
        session, actor=manager, party_id=world.acme_id, version=1, changes={"name": "Acme Ltd"}
    )
    session.flush()
    assert (party.name, party.version) == ("Acme Ltd", 2)
    with pytest.raises(Conflict, match="changed by someone else"):
        parties.update_party(
            session, actor=manager, party_id=world.acme_id, version=1, changes={"name": "Old"}
        )
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "update", AuditEntry.object_type == "party")
    ).one()
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["name"], entry.after["name"]) == ("Acme Corp", "Acme Ltd")
    assert entry.actor_id == manager.user_id


def test_a_represented_party_cannot_be_deleted(session: Session, world: World) -> None:
    with pytest.raises(Conflict, match="represented"):
        parties.delete_party(
            session, actor=world.actors["owner"], party_id=world.globex_id, version=1
        )
