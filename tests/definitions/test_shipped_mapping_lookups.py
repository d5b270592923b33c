"""The shipped mappings name the customer a source's record is for (so a ticket posted by a
webhook is measured by its customer's SLA) and the Zammad mapping reads a ticket's state
change as the REST connector gives it."""

from __future__ import annotations

import datetime as dt

import pytest

from servicelevel.definitions.source import DefinitionError
from servicelevel.definitions.ticket_mappings import load_mapping, map_records, parse_mapping


def test_a_servicenow_record_names_its_customer_by_company_and_its_service() -> None:
    record = {
        "number": "INC1",
        "sys_updated_at": "03/03/2026 10:00",
        "incident_state": "New",
        "sys_mod_count": "0",
        "company": "acme",
        "business_service": "email",
    }
    rows, rejected = map_records([record], load_mapping("servicenow"))
    assert rejected == []
    assert (rows[0]["customer"], rows[0]["service"]) == ("acme", "email")
    without = {k: v for k, v in record.items() if k not in ("company", "business_service")}
    rows, _ = map_records([without], load_mapping("servicenow"))
    assert (rows[0]["customer"], rows[0]["service"]) == ("", "it-support")


def test_a_jira_record_names_its_customer_by_organization() -> None:
    record = {"Issue key": "SD-1", "Created": "02/Mar/26 9:05 AM", "Status": "Open"}
    rows, _ = map_records([{**record, "Organizations": "globex"}], load_mapping("jira"))
    assert (rows[0]["customer"], rows[0]["service"]) == ("globex", "it-support")


def test_the_zammad_mapping_reads_a_tickets_state_change() -> None:
    ticket = {
        "id": 7,
        "number": "31007",
        "title": "VPN down",
        "priority": "3 high",
        "type": "Incident",
        "group": "Network",
        "organization": "acme",
        "owner": "agent1@example.com",
        "updated_at": "2026-03-02T10:00:00.000Z",
    }
    change = {
        "id": 901,
        "history_attribute": "state",
        "value_from": "new",
        "value_to": "open",
        "created_at": "2026-03-02T09:30:00.000Z",
    }
    rows, rejected = map_records([{**ticket, "history": change}], load_mapping("zammad"))
    assert rejected == []
    [row] = rows
    assert (row["ticket"], row["state"], row["priority"], row["customer"]) == (
        "31007",
        "open",
        "P1",
        "acme",
    )
    assert row["at"] == dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    assert row["key"] == "901"
    assert row["attributes"] == {"owner": "agent1@example.com", "team": "Network"}


def test_a_mapping_read_from_text_names_its_mistake_with_the_given_name() -> None:
    with pytest.raises(DefinitionError, match=r"stored:.*map a column to state"):
        parse_mapping("source: x\ncolumns: {ticket: a, at: b}\n", "stored")
