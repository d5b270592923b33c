"""/api/v1/agreements: SLAs, OLAs and UCs, their versions, negotiation and signatures."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from servicelevel.api.deps import ActorDep, SessionDep, commit
from servicelevel.api.responses import JSON, YAML, files
from servicelevel.api.routers.paging import Limit, Offset, RecordFilter, RecordId
from servicelevel.api.schemas.agreements import (
    AgreementIn,
    AgreementOut,
    AgreementPatch,
    AgreementSummaryOut,
    CommentIn,
    CommentOut,
    DiffOut,
    Kind,
    NewVersionIn,
    RenewalIn,
    SignatureOut,
    SignIn,
    Status,
    StepIn,
    TerminateIn,
    VersionEdit,
    VersionOut,
)
from servicelevel.api.schemas.common import PageOut, page_of, page_of_list
from servicelevel.api.schemas.templates import Language
from servicelevel.i18n import negotiate
from servicelevel.services.agreements import authoring
from servicelevel.services.agreements import diff as agreement_diff
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.agreements import reading as agreements

router = APIRouter(prefix="/agreements", tags=["agreements"])
Number = Annotated[int, Query(ge=1, le=2**31 - 1, description="A version number.")]
VersionNumber = Annotated[int, PathParam(ge=1, le=2**31 - 1, description="A version number.")]


@router.get("", response_model=PageOut[AgreementSummaryOut])
def list_agreements(
    session: SessionDep,
    actor: ActorDep,
    kind: Kind | None = None,
    status: Status | None = None,
    counterparty_id: RecordFilter | None = None,
    service_id: RecordFilter | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Id or title contains")] = None,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[AgreementSummaryOut]:
    page = agreements.list_agreements(
        session,
        actor=actor,
        kind=kind,
        status=status,
        counterparty_id=counterparty_id,
        service_id=service_id,
        search=q,
        offset=offset,
        limit=limit,
    )
    return page_of(page, AgreementSummaryOut)


def _detail(session: SessionDep, actor: ActorDep, agreement_id: int) -> AgreementOut:
    agreement = agreements.get_agreement(session, actor=actor, agreement_id=agreement_id)
    out = AgreementOut.model_validate(agreement)
    visible = {v.number for v in agreements.visible_versions(actor, agreement)}
    out.versions = [v for v in out.versions if v.number in visible]
    return out


@router.post("", response_model=AgreementOut, status_code=201)
def create_agreement(body: AgreementIn, session: SessionDep, actor: ActorDep) -> AgreementOut:
    """Draft a new agreement from a document; its first version is a draft."""
    made = authoring.create_agreement(
        session, actor=actor, document=body.document, manager_id=body.manager_id, note=body.note
    )
    commit(session)
    return _detail(session, actor, made.id)


@router.post("/refresh")
def refresh(session: SessionDep, actor: ActorDep) -> dict[str, int]:
    """Bring statuses up to date with today (expiring, expired); renewals go on the work list.
    Run it daily (``slm agreement refresh`` does the same)."""
    counts = agreement_lifecycle.refresh(session, actor=actor, today=dt.datetime.now(dt.UTC).date())
    commit(session)
    return counts


@router.get("/{agreement_id}", response_model=AgreementOut)
def get_agreement(agreement_id: RecordId, session: SessionDep, actor: ActorDep) -> AgreementOut:
    return _detail(session, actor, agreement_id)


@router.patch("/{agreement_id}", response_model=AgreementOut)
def update_agreement(
    agreement_id: RecordId, body: AgreementPatch, session: SessionDep, actor: ActorDep
) -> AgreementOut:
    changes = body.model_dump(exclude_unset=True, exclude={"lock_version"})
    for name in ("review_frequency", "notice_days"):
        if changes.get(name, "") is None:
            del changes[name]
    authoring.update_header(
        session, actor=actor, agreement_id=agreement_id, version=body.lock_version, changes=changes
    )
    commit(session)
    return _detail(session, actor, agreement_id)


def _version(session: SessionDep, actor: ActorDep, agreement_id: int, number: int) -> VersionOut:
    agreement, found = agreements.get_version(
        session, actor=actor, agreement_id=agreement_id, number=number
    )
    document = agreements.document_for(session, agreement, found)
    return VersionOut.model_validate(
        {
            **{k: getattr(found, k) for k in VersionOut.model_fields if hasattr(found, k)},
            "lock_version": found.version,
            "signatures": [SignatureOut.model_validate(s) for s in found.signatures],
            "document": document,
        }
    )


@router.get("/{agreement_id}/versions/{number}", response_model=VersionOut)
def get_version(
    agreement_id: RecordId, number: VersionNumber, session: SessionDep, actor: ActorDep
) -> VersionOut:
    return _version(session, actor, agreement_id, number)


@router.put("/{agreement_id}/versions/{number}", response_model=VersionOut)
def edit_version(
    agreement_id: RecordId,
    number: VersionNumber,
    body: VersionEdit,
    session: SessionDep,
    actor: ActorDep,
) -> VersionOut:
    """Replace the content of a draft version."""
    authoring.edit_version(
        session,
        actor=actor,
        agreement_id=agreement_id,
        number=number,
        version=body.lock_version,
        document=body.document,
        note=body.note,
    )
    commit(session)
    return _version(session, actor, agreement_id, number)


@router.post("/{agreement_id}/versions", response_model=VersionOut, status_code=201)
def new_version(
    agreement_id: RecordId, body: NewVersionIn, session: SessionDep, actor: ActorDep
) -> VersionOut:
    """A new draft copied from the newest version (a counter-proposal, or a change)."""
    made = authoring.new_version(
        session, actor=actor, agreement_id=agreement_id, version=body.lock_version, note=body.note
    )
    commit(session)
    return _version(session, actor, agreement_id, made.number)


@router.post("/{agreement_id}/versions/{number}/steps", response_model=VersionOut)
def advance(
    agreement_id: RecordId,
    number: VersionNumber,
    body: StepIn,
    session: SessionDep,
    actor: ActorDep,
) -> VersionOut:
    """Propose, approve or activate a version."""
    agreement_lifecycle.advance(
        session,
        actor=actor,
        agreement_id=agreement_id,
        number=number,
        version=body.lock_version,
        step=body.step,
        effective=body.effective,
    )
    commit(session)
    return _version(session, actor, agreement_id, number)


@router.post("/{agreement_id}/versions/{number}/signatures", response_model=VersionOut)
def sign(
    agreement_id: RecordId,
    number: VersionNumber,
    body: SignIn,
    session: SessionDep,
    actor: ActorDep,
) -> VersionOut:
    """Sign an approved version for your side (provider or counterparty), with your password
    typed again (a wrong one is a 422 naming ``password``, and nothing is signed)."""
    agreement_lifecycle.sign_with_password(
        session,
        actor=actor,
        password=body.password,
        agreement_id=agreement_id,
        number=number,
        version=body.lock_version,
        name=body.name,
    )
    commit(session)
    return _version(session, actor, agreement_id, number)


@router.post(
    "/{agreement_id}/versions/{number}/comments", response_model=CommentOut, status_code=201
)
def add_comment(
    agreement_id: RecordId,
    number: VersionNumber,
    body: CommentIn,
    session: SessionDep,
    actor: ActorDep,
) -> CommentOut:
    comment = authoring.add_comment(
        session,
        actor=actor,
        agreement_id=agreement_id,
        number=number,
        clause=body.clause,
        body=body.body,
    )
    commit(session)
    return CommentOut.model_validate(comment)


@router.get("/{agreement_id}/comments", response_model=PageOut[CommentOut])
def list_comments(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    offset: Offset = 0,
    limit: Limit = 50,
) -> PageOut[CommentOut]:
    found = agreements.comments(session, actor=actor, agreement_id=agreement_id)
    return page_of_list([CommentOut.model_validate(c) for c in found], offset, limit)


@router.get("/{agreement_id}/diff", response_model=DiffOut)
def diff(
    agreement_id: RecordId,
    old: Number,
    new: Number,
    session: SessionDep,
    actor: ActorDep,
    language: Language | None = None,
    accept_language: Annotated[str, Header(max_length=500)] = "",
) -> DiffOut:
    """What changed between two versions: clause by clause and line by line; labels and
    values in words in ``language``, else the best of Accept-Language, else English."""
    locale = language.replace("-", "_") if language else negotiate(accept_language)
    found = agreement_diff.diff_versions(
        session, actor=actor, agreement_id=agreement_id, old=old, new=new, locale=locale
    )
    return DiffOut.model_validate(found, from_attributes=True)


@router.get("/{agreement_id}/document", responses=files(JSON, YAML))
def export_document(
    agreement_id: RecordId,
    session: SessionDep,
    actor: ActorDep,
    number: Number | None = None,
    format: Annotated[Literal["json", "yaml"], Query()] = "json",
) -> Response:
    """A version (default: the current one) as an agreement file, JSON or YAML."""
    document = agreements.export_document(
        session, actor=actor, agreement_id=agreement_id, number=number
    )
    if format == "yaml":
        return Response(agreement_diff.as_yaml(document), media_type="application/yaml")
    return JSONResponse(document)


@router.post("/{agreement_id}/renewal", response_model=AgreementOut, status_code=201)
def renew(
    agreement_id: RecordId, body: RenewalIn, session: SessionDep, actor: ActorDep
) -> AgreementOut:
    """A renewal for the next term: a new draft agreement with the current content."""
    made = authoring.renew(
        session,
        actor=actor,
        agreement_id=agreement_id,
        version=body.lock_version,
        code=body.code,
        start=body.start,
        end=body.end,
    )
    commit(session)
    return _detail(session, actor, made.id)


@router.post("/{agreement_id}/terminate", response_model=AgreementOut)
def terminate(
    agreement_id: RecordId, body: TerminateIn, session: SessionDep, actor: ActorDep
) -> AgreementOut:
    agreement_lifecycle.terminate(
        session,
        actor=actor,
        agreement_id=agreement_id,
        version=body.lock_version,
        reason=body.reason,
    )
    commit(session)
    return _detail(session, actor, agreement_id)
