"""Recompute an agreement here and now, or as of an instant, and say why nothing was measured.

``as_of`` is the instant the measurements are taken at: tickets opened after it are left out,
events after it are ignored, and a clock still running then is judged by the time used up to
it — so a ticket open since 2012 is not breached by fourteen years of a clock that the log
stopped recording long ago, when the log is measured as of its last day.

A recomputation that measures nothing says why (no version in force, in force only after the
instant, no ticket of its services and customer): "0 measurement(s)" alone sends a new user
looking in the wrong place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.services.agreements import importing as agreement_import
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.monitoring import recompute


@dataclass(frozen=True)
class Measured:
    code: str
    result: dict[str, Any]
    why_none: str  # empty when something was measured


def recompute_now(
    session: Session, *, actor: Actor, code: str, as_of: dt.datetime | None = None
) -> Measured:
    """Recompute the agreement ``code`` as of ``as_of`` (default: now), in this transaction."""
    require(actor, "measurement.recompute")
    agreement_id = agreement_import.agreement_id_of(session, actor=actor, code=code)
    result = recompute.recompute(session, agreement_id=agreement_id, now=as_of)
    why = "" if result["measurements"] else _why_none(session, code, as_of)
    return Measured(code, result, why)


def _why_none(session: Session, code: str, as_of: dt.datetime | None) -> str:
    agreement = agreement_repo.agreement_by_code(session, code)
    assert agreement is not None  # found a moment ago, in this transaction
    starts = [v.in_force_from for v in agreement.versions if v.in_force_from is not None]
    if not starts:
        states = ", ".join(f"version {v.number} is {v.state}" for v in agreement.versions)
        return (
            f"{code} has no version in force ({states}): only a version in force is measured; "
            "put it in force (slm apply -f FILE --sign-as OWNER,REPRESENTATIVE) and recompute"
        )
    first = min(starts)
    if as_of is not None and as_of <= first:
        return f"{code} comes into force at {first.isoformat()}, after {as_of.isoformat()}"
    ids = {s.service_id for v in agreement.versions for s in v.services}
    services = sorted(agreement_repo.codes(session, set(), ids, set())[1].values())
    whose = ""
    if agreement.kind == "SLA":
        names = party_repo.names(session, [agreement.counterparty_id])
        whose = f" of customer {names.get(agreement.counterparty_id, '?')}"
    return (
        f"no ticket of {', '.join(services)}{whose} was opened from {first.isoformat()}"
        + (f" to {as_of.isoformat()}" if as_of else "")
        + " (import tickets with their service and customer: slm import tickets)"
    )
