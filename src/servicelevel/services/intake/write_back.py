"""Write-back: a pulled ticket's SLA state posted to the ticket in its source system.

After a pull has stored new events of some tickets (``pulls.run_job``), their
measurements are recomputed at once for every agreement in force covering them (the same
computation the queued recomputation jobs do again; it is idempotent), then each ticket's
state is set on it through the source's ``write_back`` (RT: the ticket custom fields
``SLA deadline`` and ``SLA breached``, renamed by the connection's ``write_back_fields``):

- ``deadline``: the earliest deadline of the ticket's clocks still running, else of all its
  clocks (UTC, ``YYYY-MM-DDTHH:MM:SSZ``);
- ``breached``: ``yes`` when any of its clocks is past its deadline, else ``no``.

A ticket no agreement measures is left alone. A source that refuses is recorded on the
connection (``last_error``, beginning ``write-back:``); the pull itself stays stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.connectors.base import ConnectorError
from servicelevel.connectors.http import HttpClient
from servicelevel.db.models import Measurement
from servicelevel.db.repositories import agreements as agreement_repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.services.identity.permissions import Actor, require
from servicelevel.services.intake import connections
from servicelevel.services.intake import mappings as ticket_mappings_store
from servicelevel.services.intake.connection_settings import client_for, source_of
from servicelevel.services.monitoring import recompute

MAX_TICKETS = 5000  # written back after one pull


def write_back(
    session: Session,
    *,
    actor: Actor,
    connection_id: int,
    tickets: Collection[str],
    now: dt.datetime,
    http: HttpClient | None = None,
) -> int:
    """Post the SLA state of ``tickets`` (numbers in the source) to the source; how many were
    written."""
    require(actor, "connection.manage")
    connection = connections.get_for_system(session, connection_id)
    mapping = ticket_mappings_store.mapping_named(session, connection.mapping)
    numbers = sorted(tickets)[:MAX_TICKETS]
    found = monitoring_repo.tickets_by_numbers(session, mapping.model.source, numbers)
    ids = [t.id for t in found]
    for agreement_id in agreement_repo.in_force_covering(session, {t.service for t in found}):
        recompute.recompute(session, agreement_id=agreement_id, tickets=ids, now=now)
    states = sla_states(session, ids)
    client = http or client_for(connection.settings)
    written = 0
    try:
        source = source_of(connection, client)
        post = getattr(source, "write_back", None)
        if post is None:
            raise ConnectorError(f"a {connection.kind} source cannot write back")
        for ticket in found:
            if ticket.id in states:
                post(ticket=ticket.external_id, fields=states[ticket.id])
                written += 1
    except ConnectorError as exc:
        connection.last_error = f"write-back: {exc}"[: connections.MAX_ERROR]
    finally:
        if http is None:
            client.close()
    session.flush()
    return written


def sla_states(session: Session, ticket_ids: list[int]) -> dict[int, dict[str, str]]:
    """``ticket id → {"deadline": …, "breached": "yes" | "no"}`` from the stored
    measurements (see the module docstring)."""
    out: dict[int, dict[str, str]] = {}
    if not ticket_ids:
        return out
    query = select(Measurement).where(Measurement.ticket_id.in_(ticket_ids))
    by_ticket: dict[int, list[Measurement]] = {}
    for m in session.scalars(query):
        by_ticket.setdefault(m.ticket_id, []).append(m)
    for ticket_id, found in by_ticket.items():
        running = [m.deadline for m in found if m.stopped_at is None and m.deadline]
        deadlines = running or [m.deadline for m in found if m.deadline]
        breached = any(m.breached_at is not None or m.status == "breached" for m in found)
        fields = {"breached": "yes" if breached else "no"}
        if deadlines:
            fields["deadline"] = _utc(min(deadlines))
        out[ticket_id] = fields
    return out


def _utc(moment: dt.datetime) -> str:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
