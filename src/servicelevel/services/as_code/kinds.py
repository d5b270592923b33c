"""One kind of document each: how the stored object is written as a document, and how a
document is written to the database — always through the service that owns the object (its
permission check, validation and audit row), never around it.

A document is compared with the stored object written as a document (every field, defaults
included), so a document that says what is stored changes nothing: no write, no audit row.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from servicelevel.db.models import (
    CalendarRecord,
    Connection,
    NotificationChannel,
    Party,
    Service,
    TicketMapping,
)
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories import calendars as calendar_repo
from servicelevel.db.repositories import catalog as catalog_repo
from servicelevel.db.repositories import identity as identity_repo
from servicelevel.db.repositories import notifications as channel_repo
from servicelevel.db.repositories import parties as party_repo
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import lifecycle as catalog_lifecycle
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.intake import connections
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.notifications import channels as notifications
from servicelevel.services.parties import directory as party_service
from servicelevel.services.shared.errors import Invalid

Doc = dict[str, Any]
STATUS_STEPS = {"draft": 0, "approved": 1, "published": 2}


@dataclass(frozen=True)
class Kind:
    """How to find (``stored``), write as a document (``export``) and write (``write``) one
    kind of object; ``write`` gets the stored object or ``None``."""

    stored: Callable[[Session, Doc], Any]
    export: Callable[[Session, Any], Doc]
    write: Callable[[Session, Actor, Doc, Any], None]


# parties


def party_doc(session: Session, party: Party) -> Doc:
    return {
        "kind": "party",
        "code": party.code,
        "type": party.kind,
        "name": party.name,
        "names": dict(party.names or {}),
        "description": party.description,
    }


def _write_party(session: Session, actor: Actor, doc: Doc, party: Party | None) -> None:
    fields = {k: doc[k] for k in ("code", "name", "names", "description")}
    if party is None:
        data = party_service.PartyData(kind=doc["type"], **fields)
        party_service.create_party(session, actor=actor, data=data)
        return
    party_service.update_party(
        session,
        actor=actor,
        party_id=party.id,
        version=party.version,
        changes={**fields, "kind": doc["type"]},
    )


# calendars


def calendar_doc(session: Session, record: CalendarRecord) -> Doc:
    return {"kind": "calendar", "code": record.code, **record.definition}


def _definition(doc: Doc) -> Doc:
    return {k: v for k, v in doc.items() if k not in ("kind", "code")}


def _write_calendar(session: Session, actor: Actor, doc: Doc, record: Any) -> None:
    if record is None:
        calendars.create_calendar(
            session, actor=actor, code=doc["code"], definition=_definition(doc)
        )
        return
    calendars.update_calendar(
        session,
        actor=actor,
        calendar_id=record.id,
        version=record.version,
        definition=_definition(doc),
    )


# services


def service_doc(session: Session, found: Service) -> Doc:
    service = catalog_repo.service_by_id(session, found.id)  # with its options
    assert service is not None
    calendar = calendar_repo.calendar_by_id(session, service.calendar_id or 0)
    owner = identity_repo.user_by_id(session, service.owner_id or 0)
    depends = [party_repo.party_by_id(session, d.party_id) for d in service.dependencies]
    return {
        "kind": "service",
        "code": service.code,
        "name": service.name,
        "names": dict(service.names or {}),
        "description": service.description,
        "descriptions": dict(service.descriptions or {}),
        "category": service.category,
        "calendar": calendar.code if calendar is not None else None,
        "owner": owner.username if owner is not None else None,
        "depends_on": sorted(p.code for p in depends if p is not None),
        "status": service.status,
        "options": [_option_doc(o) for o in service.options],
    }


def _option_doc(option: Any) -> Doc:
    targets = [
        {"metric": t.metric, "objective": t.objective, "priority": t.priority, "within": t.within}
        for t in option.targets
    ]
    return {
        "code": option.code,
        "name": option.name,
        "names": dict(option.names),
        "targets": targets,
    }


def _service_data(session: Session, doc: Doc) -> catalog.ServiceData:
    calendar = _by_code(session, calendar_repo.calendar_by_code, doc["calendar"], "calendar")
    owner = identity_repo.user_by_name(session, doc["owner"]) if doc["owner"] else None
    if doc["owner"] and owner is None:
        raise Invalid("no user {name}", "owner", name=doc["owner"])
    depends = [
        _by_code(session, party_repo.party_by_code, code, f"depends_on.{i}")
        for i, code in enumerate(doc["depends_on"])
    ]
    return catalog.ServiceData(
        code=doc["code"],
        name=doc["name"],
        names=doc["names"],
        description=doc["description"],
        descriptions=doc["descriptions"],
        category=doc["category"],
        owner_id=owner.id if owner is not None else None,
        calendar_id=calendar.id if calendar is not None else None,
        depends_on=tuple(p.id for p in depends if p is not None),
    )


def _by_code(session: Session, find: Callable[[Session, str], Any], code: Any, field: str) -> Any:
    if code is None:
        return None
    found = find(session, code)
    if found is None:
        raise Invalid("no {what} {code}", field, what=field.split(".")[0], code=code)
    return found


def _options(doc: Doc) -> list[catalog.OptionData]:
    return [
        catalog.OptionData(
            code=o["code"],
            name=o["name"],
            names=o["names"],
            targets=tuple(catalog.OfferedTargetData(**t) for t in o["targets"]),
        )
        for o in doc["options"]
    ]


def _write_service(session: Session, actor: Actor, doc: Doc, found: Service | None) -> None:
    data = _service_data(session, doc)
    if found is None:
        service = catalog.create_service(session, actor=actor, data=data)
    else:
        service = found
        if service.status not in ("draft", "approved", "published"):
            raise Invalid(
                "service {code} is {status}", "status", code=doc["code"], status=service.status
            )
        if service.status != "draft":
            _step(session, actor, service, "revise")
        changes = {f: getattr(data, f) for f in catalog.ServiceData.__dataclass_fields__}
        session.flush()
        catalog.update_service(
            session, actor=actor, service_id=service.id, version=service.version, changes=changes
        )
    session.flush()
    catalog.set_options(
        session, actor=actor, service_id=service.id, version=service.version, options=_options(doc)
    )
    for step in ("approve", "publish")[: STATUS_STEPS[doc["status"]]]:
        _step(session, actor, service, step)


def _step(session: Session, actor: Actor, service: Service, transition: str) -> None:
    session.flush()
    catalog_lifecycle.change_status(
        session, actor=actor, service_id=service.id, version=service.version, transition=transition
    )


# notification channels


def channel_doc(session: Session, channel: NotificationChannel) -> Doc:
    heads = agreement_repo.heads(session, [channel.agreement_id] if channel.agreement_id else [])
    party = party_repo.party_by_id(session, channel.party_id or 0)
    hours = calendar_repo.calendar_by_id(session, channel.hours_calendar_id or 0)
    return {
        "kind": "channel",
        "name": channel.name,
        "type": channel.kind,
        "address": channel.address,
        "secret": "",  # sealed: never written out
        "locale": channel.locale.replace("_", "-"),
        "timezone": channel.timezone,
        "notices": list((channel.kinds or {}).get("notices", [])),
        "agreement": next((code for code, _, _ in heads.values()), None),
        "party": party.code if party is not None else None,
        "hours": hours.code if hours is not None else None,
        "active": channel.active,
    }


def _write_channel(session: Session, actor: Actor, doc: Doc, found: Any) -> None:
    agreement = _by_code(session, agreement_repo.agreement_by_code, doc["agreement"], "agreement")
    party = _by_code(session, party_repo.party_by_code, doc["party"], "party")
    hours = _by_code(session, calendar_repo.calendar_by_code, doc["hours"], "hours")
    data = notifications.ChannelData(
        name=doc["name"],
        kind=doc["type"],
        address=doc["address"],
        secret=doc["secret"],
        locale=doc["locale"],
        timezone=doc["timezone"],
        notices=sorted(doc["notices"]),
        agreement_id=agreement.id if agreement is not None else None,
        party_id=party.id if party is not None else None,
        hours_calendar_id=hours.id if hours is not None else None,
        active=doc["active"],
    )
    if found is None:
        notifications.create_channel(session, actor=actor, data=data)
    else:
        notifications.update_channel(
            session, actor=actor, channel_id=found.id, version=found.version, data=data
        )


# users: created when missing (with a password nobody knows: they sign in once an
# administrator sets one); an existing user is left as it is


def user_doc(session: Session, user: Any) -> Doc:
    roles = identity_repo.roles_of(session, user.id)
    return {
        "kind": "user",
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "locale": user.locale,
        "roles": sorted(_role_text(session, r) for r in roles),
    }


def _role_text(session: Session, assignment: Any) -> str:
    party = party_repo.party_by_id(session, assignment.party_id or 0)
    return f"{assignment.role}:{party.code}" if party is not None else str(assignment.role)


def _write_user(session: Session, actor: Actor, doc: Doc, found: Any) -> None:
    if found is not None:
        return
    grants = [identity.RoleGrant(*r.split(":", 1)) for r in doc["roles"]]
    identity.create_user(
        session,
        actor=actor,
        username=doc["username"],
        password=secrets.token_urlsafe(24),
        roles=grants,
        display_name=doc["display_name"],
        email=doc["email"],
        locale=doc["locale"],
    )


# stored ticket mappings: the mapping as a document's nested object, kept as its YAML


def mapping_doc(session: Session, stored: TicketMapping) -> Doc:
    mapping = ticket_mappings_store.as_dict(stored)
    return {"kind": "mapping", "name": stored.name, "mapping": mapping}


def _write_mapping(session: Session, actor: Actor, doc: Doc, found: Any) -> None:
    text, name = ticket_mappings_store.as_yaml(doc["mapping"]), doc["name"]
    if found is None:
        ticket_mappings_store.create_mapping(session, actor=actor, name=name, definition=text)
    else:
        ticket_mappings_store.update_mapping(session, actor=actor, name=name, definition=text)


# connections: the source's kind is the document's ``type`` (``kind`` names the document's)


def connection_doc(session: Session, found: Connection) -> Doc:
    return {
        "kind": "connection",
        "name": found.name,
        "type": found.kind,
        "base_url": found.base_url,
        "mapping": found.mapping,
        "settings": found.settings,
        "interval_seconds": found.interval_seconds,
        "backfill_from": found.backfill_from,
        "enabled": found.enabled,
        "write_back": found.write_back,
    }


def _write_connection(session: Session, actor: Actor, doc: Doc, found: Any) -> None:
    fields = {k: v for k, v in doc.items() if k not in ("kind", "type", "name")}
    if found is None:
        data = connections.ConnectionData(name=doc["name"], kind=doc["type"], **fields)
        connections.create_connection(session, actor=actor, data=data)
        return
    connections.update_connection(
        session,
        actor=actor,
        connection_id=found.id,
        lock_version=found.version,
        changes={**fields, "kind": doc["type"]},
    )


KINDS: dict[str, Kind] = {
    "party": Kind(lambda s, d: party_repo.party_by_code(s, d["code"]), party_doc, _write_party),
    "calendar": Kind(
        lambda s, d: calendar_repo.calendar_by_code(s, d["code"]), calendar_doc, _write_calendar
    ),
    "service": Kind(
        lambda s, d: catalog_repo.service_by_code(s, d["code"]), service_doc, _write_service
    ),
    "channel": Kind(
        lambda s, d: channel_repo.channel_named(s, d["name"]), channel_doc, _write_channel
    ),
    "user": Kind(lambda s, d: identity_repo.user_by_name(s, d["username"]), user_doc, _write_user),
    "mapping": Kind(
        lambda s, d: ticket_mappings_store.stored(s, d["name"]), mapping_doc, _write_mapping
    ),
    "connection": Kind(
        lambda s, d: connections.stored(s, d["name"]), connection_doc, _write_connection
    ),
}
