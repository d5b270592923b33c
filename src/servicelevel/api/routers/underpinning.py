"""Underpinning: which OLAs and UCs support an SLA, and what does not add up."""

from __future__ import annotations

from fastapi import APIRouter, Response

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.routers.paging import Limit, Offset, RecordId
from servicelevel.api.schemas.agreements import (
    AgreementSummaryOut,
    FindingOut,
    UnderpinningOut,
)
from servicelevel.api.schemas.common import PageOut, page_of_list
from servicelevel.services.agreements import underpinning

router = APIRouter(tags=["agreements"])


def _findings(found: list[underpinning.Finding]) -> list[FindingOut]:
    return [
        FindingOut(kind=f.kind, sla=f.sla, supporting=f.supporting, message=f.message, text=f.text)
        for f in found
    ]


@router.get("/agreements/{agreement_id}/underpinning", response_model=UnderpinningOut)
def get_underpinning(
    agreement_id: RecordId, session: SessionDep, actor: ActorDep
) -> UnderpinningOut:
    """The agreements linked to this one and the consistency checks between them."""
    linked, found = underpinning.underpinning_of(session, actor=actor, agreement_id=agreement_id)
    return UnderpinningOut(
        linked=[AgreementSummaryOut.model_validate(a) for a in linked], findings=_findings(found)
    )


@router.put("/agreements/{agreement_id}/underpinning/{supporting_id}", status_code=204)
def link(
    agreement_id: RecordId, supporting_id: RecordId, session: SessionDep, actor: ActorDep
) -> Response:
    """Record that the OLA or UC ``supporting_id`` underpins the SLA."""
    underpinning.link(session, actor=actor, sla_id=agreement_id, supporting_id=supporting_id)
    commit(session)
    return Response(status_code=204)


@router.delete("/agreements/{agreement_id}/underpinning/{supporting_id}", status_code=204)
def unlink(
    agreement_id: RecordId, supporting_id: RecordId, session: SessionDep, actor: ActorDep
) -> Response:
    underpinning.unlink(session, actor=actor, sla_id=agreement_id, supporting_id=supporting_id)
    commit(session)
    return Response(status_code=204)


@router.get("/portfolio/findings", response_model=PageOut[FindingOut])
def portfolio_findings(
    session: SessionDep, actor: ActorDep, offset: Offset = 0, limit: Limit = 50
) -> PageOut[FindingOut]:
    """Every SLA's underpinning inconsistencies."""
    found = _findings(underpinning.portfolio_findings(session, actor=actor))
    return page_of_list(found, offset, limit)
