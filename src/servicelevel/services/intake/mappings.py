"""Stored ticket mappings: a mapping kept in the database under a name, so a webhook or a
connection can read a source's records with it (the shipped ones — ``servicenow``, ``jira``,
``generic``, ``zammad`` — cannot say which customer a Zammad organization or a ServiceNow
company is, a stored copy with its lookup tables can).

A stored mapping is the same YAML as a mapping file (docs/formats.md), bounded
(:data:`MAX_BYTES`) and checked by :func:`definitions.ticket_mappings.parse_mapping` before it
is kept; every change is audited. :func:`mapping_named` is the one place a name becomes a
mapping: shipped first (their names cannot be taken), then stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import TicketMapping
from servicelevel.definitions.source import DefinitionError, parse_yaml
from servicelevel.definitions.ticket_mappings import (
    SHIPPED,
    Mapping,
    parse_mapping,
    shipped_text,
)
from servicelevel.services.identity import audit
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.shared.errors import Conflict, Invalid, NotFound

MAX_BYTES = 64 << 10  # a mapping is a few hundred bytes; lookup tables make it longer
NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
FIELDS = ("name", "definition")
MAX_LISTED = 1000


@dataclass(frozen=True)
class MappingView:
    """A mapping as listed and shown: its name, whether it is shipped, its YAML and what it
    reads (the source system's name)."""

    name: str
    shipped: bool
    source: str
    definition: str


def mapping_named(session: Session, name: str) -> Mapping:
    """The shipped or stored mapping of that name; none is an error naming the ones there are."""
    if name in SHIPPED:
        return parse_mapping(shipped_text(name), f"{name}.yaml")
    found = stored(session, name)
    if found is None:
        known = [*SHIPPED, *_names(session)]
        raise NotFound("no mapping {name}; use one of {names}", name=name, names=", ".join(known))
    return parse_mapping(found.definition, f"mapping {name}")


def list_mappings(session: Session, *, actor: Actor) -> list[MappingView]:
    """The shipped mappings, then the stored ones by name."""
    require(actor, "ticket.write")
    shipped = [_view(n, True, shipped_text(n)) for n in SHIPPED]
    rows = session.scalars(select(TicketMapping).order_by(TicketMapping.name).limit(MAX_LISTED))
    return shipped + [_view(r.name, False, r.definition) for r in rows]


def show_mapping(session: Session, *, actor: Actor, name: str) -> MappingView:
    require(actor, "ticket.write")
    if name in SHIPPED:
        return _view(name, True, shipped_text(name))
    return _view(name, False, _get(session, name).definition)


def create_mapping(session: Session, *, actor: Actor, name: str, definition: str) -> MappingView:
    """Keep a new mapping under ``name`` (lower-case letters, digits, ``-`` and ``_``)."""
    require(actor, "ticket.write")
    name = _checked_name(name)
    if name in SHIPPED or stored(session, name) is not None:
        raise Conflict("a mapping named {name} exists already", "name", name=name)
    checked = _checked_definition(definition, name)
    made = TicketMapping(name=name, definition=definition, created_by=actor.username)
    session.add(made)
    audit.record(session, actor, "create", made, None, audit.snapshot(made, FIELDS))
    return _view(name, False, checked)


def update_mapping(session: Session, *, actor: Actor, name: str, definition: str) -> MappingView:
    """Replace a stored mapping's YAML (a shipped mapping is changed by storing a copy)."""
    require(actor, "ticket.write")
    if name in SHIPPED:
        raise Conflict(
            "the shipped mapping {name} cannot be changed: store a copy under another name",
            "name",
            name=name,
        )
    found = _get(session, name)
    checked = _checked_definition(definition, name)
    before = audit.snapshot(found, FIELDS)
    found.definition = definition
    audit.record_update(session, actor, found, before, audit.snapshot(found, FIELDS))
    return _view(name, False, checked)


def delete_mapping(session: Session, *, actor: Actor, name: str) -> None:
    require(actor, "ticket.write")
    if name in SHIPPED:
        raise Conflict("the shipped mapping {name} cannot be deleted", "name", name=name)
    found = _get(session, name)
    audit.record(session, actor, "delete", found, audit.snapshot(found, FIELDS), None)
    session.delete(found)
    session.flush()


def _view(name: str, shipped: bool, definition: str) -> MappingView:
    try:
        source = parse_mapping(definition, name).model.source
    except DefinitionError:  # a stored mapping made unreadable by a later release
        source = ""
    return MappingView(name, shipped, source, definition)


def _checked_name(name: str) -> str:
    name = name.strip() if isinstance(name, str) else ""
    if not NAME.fullmatch(name):
        raise Invalid(
            "a mapping's name is 1 to 64 lower-case letters, digits, - or _, from a letter "
            "or digit",
            "name",
        )
    return name


def _checked_definition(definition: str, name: str) -> str:
    """The YAML, if it is a mapping; a mistake names its line."""
    if not isinstance(definition, str) or not definition.strip():
        raise Invalid("the mapping's YAML is required", "definition")
    size = len(definition.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise Invalid(
            "the mapping is {size} bytes, more than {limit}",
            "definition",
            size=size,
            limit=MAX_BYTES,
        )
    try:
        parse_mapping(definition, f"mapping {name}")
    except DefinitionError as exc:
        raise Invalid(
            "the mapping cannot be used: {reason}", "definition", reason=str(exc)
        ) from None
    return definition


def stored(session: Session, name: str) -> TicketMapping | None:
    """The stored mapping of that name, if there is one."""
    return session.scalars(select(TicketMapping).where(TicketMapping.name == name)).first()


def _get(session: Session, name: str) -> TicketMapping:
    found = stored(session, name)
    if found is None:
        raise NotFound("no stored mapping {name}", name=name)
    return found


def _names(session: Session) -> list[str]:
    query = select(TicketMapping.name).order_by(TicketMapping.name).limit(50)
    return list(session.scalars(query))


def as_dict(found: TicketMapping) -> dict[str, Any]:
    """A stored mapping's YAML as the object an ``slm apply`` document nests."""
    data = parse_yaml(found.definition, f"mapping {found.name}").data
    return data if isinstance(data, dict) else {}


def as_yaml(mapping: dict[str, Any]) -> str:
    """A document's nested mapping as the YAML stored (keys in the document's order)."""
    return yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True)
