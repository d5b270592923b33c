"""An agreement's version as the engine measures it.

Recomputation, explanations, availability alerts, the home page and the service report all
evaluate a stored version; this is the one place that turns it into the engine's agreement,
its calendars read from their stored definitions (or 24×7 where a target names none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement, AgreementVersion
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.definitions.agreements import agreement_from_document
from servicelevel.definitions.source import DefinitionError, Located
from servicelevel.engine.agreements import Agreement as EngineAgreement
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.shared.errors import Invalid


def engine_agreement(
    session: Session, agreement: Agreement, version: AgreementVersion
) -> EngineAgreement:
    """The version as the engine's agreement, its calendars the stored definitions."""
    document = agreements.document_for(session, agreement, version)
    inline: dict[str, Any] = {}
    for c in version.calendars:
        record = calendar_repo.calendar_by_id(session, c.calendar_id) if c.calendar_id else None
        inline[c.key] = record.definition if record is not None else "24x7"
    document["calendars"] = inline
    try:
        return agreement_from_document(Located(document, {}, agreement.code), Path("."))
    except DefinitionError as exc:
        raise Invalid(
            "agreement {code} cannot be evaluated: {reason}",
            code=agreement.code,
            reason=exc.message,
        ) from None
