"""/api/v1/parties: customers, internal teams and suppliers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, LockVersionQuery, Offset, RecordId
from servicelevel.api.schemas.common import PageOut, page_of
from servicelevel.api.schemas.parties import Kind, PartyIn, PartyOut, PartyPatch
from servicelevel.services.parties import directory as parties

router = APIRouter(prefix="/parties", tags=["parties"])


@router.get("", response_model=PageOut[PartyOut])
def list_parties(
    session: SessionDep,
    actor: ActorDep,
    kind: Kind | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Code or name contains")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[PartyOut]:
    page = parties.list_parties(
        session, actor=actor, kind=kind, search=q, offset=offset, limit=limit
    )
    return page_of(page, PartyOut)


@router.post("", response_model=PartyOut, status_code=201)
def create_party(body: PartyIn, session: SessionDep, actor: ActorDep) -> PartyOut:
    data = parties.PartyData(**body.model_dump())
    party = parties.create_party(session, actor=actor, data=data)
    commit(session)
    return PartyOut.model_validate(party)


@router.get("/{party_id}", response_model=PartyOut)
def get_party(party_id: RecordId, session: SessionDep, actor: ActorDep) -> PartyOut:
    return PartyOut.model_validate(parties.get_party(session, actor=actor, party_id=party_id))


@router.patch("/{party_id}", response_model=PartyOut)
def update_party(
    party_id: RecordId, body: PartyPatch, session: SessionDep, actor: ActorDep
) -> PartyOut:
    changes = body.model_dump(exclude_unset=True, exclude_none=True, exclude={"lock_version"})
    party = parties.update_party(
        session, actor=actor, party_id=party_id, version=body.lock_version, changes=changes
    )
    commit(session)
    return PartyOut.model_validate(party)


@router.delete("/{party_id}", status_code=204)
def delete_party(
    party_id: RecordId, lock_version: LockVersionQuery, session: SessionDep, actor: ActorDep
) -> Response:
    parties.delete_party(session, actor=actor, party_id=party_id, version=lock_version)
    commit(session)
    return Response(status_code=204)
