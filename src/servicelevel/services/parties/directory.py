"""Parties: customers, internal teams and suppliers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Party
from servicelevel.db.models.parties import PARTY_KINDS
from servicelevel.db.repositories import parties as repo
from servicelevel.db.repositories.common import Page
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, can_see_party, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

FIELDS = ("code", "kind", "name", "names", "description")
KINDS = PARTY_KINDS  # for adapters, which do not reach into the database layer


@dataclass(frozen=True)
class PartyData:
    code: str
    kind: str
    name: str
    names: dict[str, str]
    description: str = ""


def _validate(data: PartyData) -> None:
    for name in ("code", "kind", "name", "description"):
        if not isinstance(getattr(data, name), str):
            raise Invalid("{name} must be text", name, name=name)
    if not isinstance(data.names, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.names.items()
    ):
        raise Invalid("names maps language codes to text", "names")
    texts = {
        "code": data.code,
        "name": data.name,
        "description": data.description,
        **{f"names.{k}": v for k, v in data.names.items()},
    }
    for field, value in texts.items():
        if "\x00" in value:
            raise Invalid("text cannot contain NUL characters", field)
    if not data.code.strip():
        raise Invalid("a code is required", "code")
    if data.kind not in PARTY_KINDS:
        raise Invalid("kind must be one of customer, internal_team, supplier", "kind")
    if not data.name.strip():
        raise Invalid("a name is required", "name")


def create_party(session: Session, *, actor: Actor, data: PartyData) -> Party:
    require(actor, "party.write")
    _validate(data)
    if repo.party_by_code(session, data.code.strip()) is not None:
        raise Conflict("a party with code {code} exists already", "code", code=data.code)
    party = Party(
        code=data.code.strip(),
        kind=data.kind,
        name=data.name.strip(),
        names=dict(data.names),
        description=data.description,
    )
    session.add(party)
    audit.record(session, actor, "create", party, None, audit.snapshot(party, FIELDS))
    return party


def get_party(session: Session, *, actor: Actor, party_id: int) -> Party:
    require(actor, "party.read")
    party = repo.party_by_id(session, party_id)
    if party is None or not can_see_party(actor, party.id):
        raise NotFound("no party {id}", id=party_id)
    return party


def list_parties(
    session: Session,
    *,
    actor: Actor,
    kind: str | None = None,
    search: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> Page[Party]:
    require(actor, "party.read")
    only = actor.parties if actor.scoped else None
    return repo.list_parties(
        session, kind=kind, search=search, only=only, offset=offset, limit=limit
    )


def update_party(
    session: Session, *, actor: Actor, party_id: int, version: int, changes: dict[str, Any]
) -> Party:
    """Change fields of a party that is still at ``version`` (else a conflict)."""
    require(actor, "party.write")
    party = get_party(session, actor=actor, party_id=party_id)
    audit.check_version(party, version)
    before = audit.snapshot(party, FIELDS)
    merged = PartyData(**{**before, **{k: v for k, v in changes.items() if k in FIELDS}})
    _validate(merged)
    if merged.code != party.code and repo.party_by_code(session, merged.code) is not None:
        raise Conflict("a party with code {code} exists already", "code", code=merged.code)
    for name in FIELDS:
        setattr(party, name, getattr(merged, name))
    audit.record_update(session, actor, party, before, audit.snapshot(party, FIELDS))
    return party


def delete_party(session: Session, *, actor: Actor, party_id: int, version: int) -> None:
    require(actor, "party.write")
    party = get_party(session, actor=actor, party_id=party_id)
    audit.check_version(party, version)
    if (users := repo.references_to(session, party_id)) > 0:
        raise Conflict(
            "party {code} is still represented by {count} user role(s)",
            code=party.code,
            count=users,
        )
    before = audit.snapshot(party, FIELDS)
    audit.record(session, actor, "delete", party, before, None)
    session.delete(party)
    session.flush()
