"""An agreement's lifecycle, version by version.

A version is a draft (editable) → proposed to the other party → approved by the provider →
signed by both sides (frozen from now on) → in force → superseded by a later version. A
proposal answered by a counter-proposal is withdrawn. The agreement's own state follows
(:func:`agreements.derive_status`): draft, in negotiation, approved, signed, active, expiring,
expired, terminated.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from servicelevel.db.base import utcnow
from servicelevel.db.models import Agreement, AgreementVersion, Signature
from servicelevel.db.repositories import agreements as repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.services.agreements.authoring import FIELDS
from servicelevel.services.agreements.reading import (
    derive_status,
    get_agreement,
    get_version,
    in_force,
)
from servicelevel.services.identity import accounts, audit
from servicelevel.services.identity.permissions import (
    CUSTOMER_REP,
    MANAGER,
    OWNER,
    SUPPLIER_REP,
    TEAM_MEMBER,
    Actor,
    require,
)
from servicelevel.services.shared import work
from servicelevel.services.shared.errors import Conflict, Forbidden, Invalid

COUNTERSIGNER = {"SLA": CUSTOMER_REP, "OLA": TEAM_MEMBER, "UC": SUPPLIER_REP}
# step → (permission, version states it starts from, state it ends in)
STEPS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "propose": ("agreement.write", ("draft",), "proposed"),
    "approve": ("agreement.approve", ("proposed",), "approved"),
    "activate": ("agreement.approve", ("signed",), "in_force"),
}


def _refresh(agreement: Agreement) -> None:
    agreement.status = derive_status(agreement, utcnow().date())


def _conflict(agreement: Agreement, version: AgreementVersion, step: str) -> Conflict:
    return Conflict(
        "version {number} of {code} is {state}: {step} is not possible from there",
        "state",
        number=version.number,
        code=agreement.code,
        state=version.state,
        step=step,
    )


def advance(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    number: int,
    version: int,
    step: str,
    effective: dt.datetime | None = None,
) -> AgreementVersion:
    """Propose, approve or activate a version (``effective``: when it comes into force)."""
    if step not in STEPS:
        raise Invalid("step must be one of propose, approve, activate", "step")
    permission, sources, target = STEPS[step]
    require(actor, permission)
    agreement, found = get_version(session, actor=actor, agreement_id=agreement_id, number=number)
    audit.check_version(found, version)
    if found.state not in sources:
        raise _conflict(agreement, found, step)
    before = audit.snapshot(found, ("state",))
    if step == "propose":
        _check_complete(found)
    elif step == "approve":
        found.approved_at, found.approved_by_id = utcnow(), actor.user_id
    else:
        _activate(agreement, found, effective or utcnow())
    found.state = target
    _refresh(agreement)
    audit.record(session, actor, step, found, before, audit.snapshot(found, ("state",)))
    return found


def _check_complete(version: AgreementVersion) -> None:
    """What a version must say before the other party is asked to agree to it."""
    if version.term_start is None or version.term_end is None:
        raise Invalid("give the term's start and end first", "term")
    if not version.services:
        raise Invalid("name the services the agreement covers first", "services")
    if not version.targets:
        raise Invalid("give the agreement at least one target first", "targets")


def _activate(agreement: Agreement, version: AgreementVersion, effective: dt.datetime) -> None:
    if effective.tzinfo is None:
        raise Invalid("give the instant with a UTC offset", "effective")
    previous = in_force(agreement)
    if previous is not None:
        if previous.in_force_from is not None and effective <= previous.in_force_from:
            raise Invalid(
                "a version comes into force after the one it replaces ({since})",
                "effective",
                since=previous.in_force_from.isoformat(),
            )
        previous.state, previous.in_force_until = "superseded", effective
    version.in_force_from = effective


def _signer_name(session: Session, actor: Actor) -> str:
    """The name a signature is written with when the signer gives none: theirs (display name),
    as a document's signature block shows people, else their user name."""
    user = identity_repo.user_by_id(session, actor.user_id) if actor.user_id else None
    return (user.display_name if user else "")[:200] or actor.username


def sign(
    session: Session,
    *,
    actor: Actor,
    agreement_id: int,
    number: int,
    version: int,
    name: str = "",
) -> Signature:
    """Sign an approved version for the side the actor belongs to: the provider (process
    owner, service level manager) or the counterparty (its representative). With both
    signatures the version is signed and frozen."""
    require(actor, "agreement.sign")
    agreement, found = get_version(session, actor=actor, agreement_id=agreement_id, number=number)
    side, role = _side(actor, agreement)
    audit.check_version(found, version)
    if found.state != "approved":
        raise _conflict(agreement, found, "sign")
    if any(s.side == side for s in found.signatures):
        raise Conflict(
            "the {side} has signed version {number} already", "side", side=side, number=number
        )
    signature = Signature(
        side=side,
        user_id=actor.user_id,
        signed_as=role,
        name=name.strip()[:200] or _signer_name(session, actor),
        signed_at=utcnow(),
    )
    found.signatures.append(signature)
    if {s.side for s in found.signatures} == {"provider", "counterparty"}:
        found.state, found.signed_at = "signed", utcnow()
    found.updated_at = utcnow()  # a signature changes the version: a new version number
    _refresh(agreement)
    audit.record(session, actor, "sign", found, None, {"side": side, "as": role})
    return signature


def sign_with_password(
    session: Session,
    *,
    actor: Actor,
    password: str,
    agreement_id: int,
    number: int,
    version: int,
    name: str = "",
) -> Signature:
    """Sign as a person does, on the web page or through the API: with their password typed
    again, since signing binds their organisation and a session left open or a token in a
    script is not enough. The permission comes first (a role that may not sign is told so
    before its password is read); a wrong password is an error about ``password``, counts
    towards the account's lock-out (:func:`accounts.authenticate`, which commits the counted
    attempt, so this is called first in a unit of work) and signs nothing. Agreements applied
    as code and the demo sign through :func:`sign`."""
    require(actor, "agreement.sign")
    accounts.confirm_password(session, actor=actor, password=password)
    return sign(
        session,
        actor=actor,
        agreement_id=agreement_id,
        number=number,
        version=version,
        name=name,
    )


def _side(actor: Actor, agreement: Agreement) -> tuple[str, str]:
    """The provider signs through its process owner or service level manager; the
    counterparty through its own representative (customer, team or supplier by kind)."""
    if actor.user_id is None:
        raise Forbidden("{user} may not {action}", user=actor.username, action="agreement.sign")
    for role in (OWNER, MANAGER):
        if role in actor.roles:
            return "provider", role
    wanted = COUNTERSIGNER[agreement.kind]
    if wanted in actor.roles and agreement.counterparty_id in actor.parties:
        return "counterparty", wanted
    raise Forbidden("{user} may not {action}", user=actor.username, action="agreement.sign")


def terminate(
    session: Session, *, actor: Actor, agreement_id: int, version: int, reason: str
) -> Agreement:
    """End an agreement before its term (the version in force stops now)."""
    require(actor, "agreement.terminate")
    agreement = get_agreement(session, actor=actor, agreement_id=agreement_id)
    audit.check_version(agreement, version)
    if agreement.terminated_at is not None:
        raise Conflict("agreement {code} is terminated already", "status", code=agreement.code)
    if not reason.strip():
        raise Invalid("say why the agreement is terminated", "reason")
    before = audit.snapshot(agreement, FIELDS)
    now = utcnow()
    force = in_force(agreement)
    if force is not None:
        force.in_force_until = now
    agreement.terminated_at, agreement.termination_reason = now, reason.strip()[:2000]
    _refresh(agreement)
    audit.record(session, actor, "terminate", agreement, before, audit.snapshot(agreement, FIELDS))
    return agreement


def refresh(session: Session, *, actor: Actor, today: dt.date) -> dict[str, int]:
    """Bring every agreement's status up to date with the calendar (expiring, expired) and put
    "renew the agreement" on the work list for each one entering its notice period. Run daily
    (``slm agreement refresh``); running it twice changes nothing more."""
    require(actor, "agreement.write")
    changed = raised = 0
    for agreement in repo.agreements_in_force(session):
        status = derive_status(agreement, today)
        if status == agreement.status:
            continue
        before = audit.snapshot(agreement, FIELDS)
        agreement.status = status
        audit.record(session, actor, "status", agreement, before, audit.snapshot(agreement, FIELDS))
        changed += 1
        if status == "expiring":
            work.raise_agreement_item(
                session,
                actor=actor,
                kind="renew_agreement",
                trigger="agreement_expiring",
                agreement_id=agreement.id,
            )
            raised += 1
    return {"changed": changed, "work_items": raised}
