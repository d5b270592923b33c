"""Agreement documents and the parties, services and calendars they name, for tests."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import OfferedTargetData, OptionData, ServiceData
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM, Actor
from servicelevel.services.parties import directory as parties
from tests.integration.factories import PASSWORD, World

SLA: dict[str, Any] = {
    "id": "SLA-1",
    "kind": "SLA",
    "title": {"en": "E-mail for Acme", "zh-Hans": "阿克米邮件服务"},
    "provider": "Acme IT",
    "customer": "ACME",
    "services": ["email", "erp"],
    "term": {"start": "2026-01-01", "end": "2026-12-31"},
    "review": "quarterly",
    "calendars": {"business": "bj", "always": "24x7"},
    "clocks": {
        "response": {"stop": {"events": ["responded"]}},
        "resolution": {
            "pause": {"states": ["Awaiting Customer"]},
            "stop": {"states": ["Resolved", "Closed"]},
        },
    },
    "targets": [
        {
            "id": "P1-resolution",
            "clock": "resolution",
            "when": {"priority": "P1"},
            "within": "4h",
            "calendar": "always",
            "objective": "95%",
            "warnings": ["75%"],
        },
        {
            "id": "P2-resolution",
            "clock": "resolution",
            "when": {"priority": "P2"},
            "within": "8h",
            "calendar": "business",
            "objective": "90%",
        },
    ],
    "availability": [
        {"id": "email-up", "service": "email", "calendar": "always", "objective": 0.999}
    ],
    "credits": [
        {
            "id": "email-credit",
            "target": "email-up",
            "tiers": [{"below": "99.9%", "credit": "5%"}],
            "cap": "10%",
        }
    ],
}


def ola(**changes: Any) -> dict[str, Any]:
    doc = copy.deepcopy(SLA)
    doc.update(id="OLA-1", kind="OLA", internal_team="NET", title="Network support")
    del doc["customer"]
    doc.pop("credits")
    doc.update(changes)
    return doc


def uc(**changes: Any) -> dict[str, Any]:
    doc = ola(**changes)
    doc.update(id=changes.get("id", "UC-1"), kind="UC", supplier="CLOUD", title="Hosting")
    del doc["internal_team"]
    return doc


def prepare(session: Session) -> dict[str, Actor]:
    """Calendars, services, a team and a supplier, and their representatives."""
    calendars.create_calendar(
        session,
        actor=SYSTEM,
        code="bj",
        definition={"timezone": "Asia/Shanghai", "hours": {"mon-fri": ["09:00-18:00"]}},
    )
    calendars.create_calendar(
        session,
        actor=SYSTEM,
        code="ny",
        definition={"timezone": "America/New_York", "hours": "24x7"},
    )
    for code, kind in (("NET", "internal_team"), ("CLOUD", "supplier")):
        parties.create_party(session, actor=SYSTEM, data=parties.PartyData(code, kind, code, {}))
    option = OptionData("std", "Standard", {}, (OfferedTargetData("availability", 0.99),))
    for code in ("email", "erp"):
        service = catalog.create_service(session, actor=SYSTEM, data=ServiceData(code, code))
        session.flush()
        catalog.set_options(
            session, actor=SYSTEM, service_id=service.id, version=1, options=[option]
        )
    actors = {}
    for name, grant in (
        ("team_member", RoleGrant("internal_team_member", "NET")),
        ("supplier_rep", RoleGrant("supplier_representative", "CLOUD")),
    ):
        user = identity.create_user(
            session, actor=SYSTEM, username=name, password=PASSWORD, roles=[grant]
        )
        actors[name] = identity.actor_for(session, user)
    session.flush()
    return actors


def everyone(session: Session, world: World) -> dict[str, Actor]:
    return {**world.actors, **prepare(session)}
