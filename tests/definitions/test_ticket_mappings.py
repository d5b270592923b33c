"""Mapping files turn export rows into ticket events: the shipped Jira and generic mappings on
small hand-written exports, and mistakes in a mapping named."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from servicelevel.definitions.source import DefinitionError
from servicelevel.definitions.ticket_mappings import load_mapping, read_rows

JIRA = """Issue key,Created,Status,Priority,Issue Type,Summary
SD-1,02/Mar/26 9:05 AM,Open,Highest,Incident,VPN down
SD-1,02/Mar/26 11:40 AM,Resolved,Highest,Incident,VPN down
SD-2,03/Mar/26 2:15 PM,Open,Low,Service Request,New laptop
"""


def test_a_jira_history_export_becomes_events(tmp_path: Path) -> None:
    path = tmp_path / "jira.csv"
    path.write_text(JIRA, encoding="utf-8")
    rows, rejected = read_rows(path, load_mapping("jira"))
    assert rejected == []
    assert [(r["ticket"], r["state"], r["priority"], r["category"]) for r in rows] == [
        ("SD-1", "Open", "P1", "Incident"),
        ("SD-1", "Resolved", "P1", "Incident"),
        ("SD-2", "Open", "P4", "Service Request"),
    ]
    assert rows[1]["at"] == dt.datetime(2026, 3, 2, 11, 40, tzinfo=dt.UTC)
    assert rows[0]["service"] == "it-support"


def test_the_generic_mapping_reads_iso_instants_and_keeps_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        "ticket,at,state\nT1,2026-03-02T09:00:00+08:00,New\nT1,soon,Resolved\n", encoding="utf-8"
    )
    rows, rejected = read_rows(path, load_mapping("generic"))
    assert rows[0]["at"].utcoffset() == dt.timedelta(hours=8)
    assert [(r.line, r.reason) for r in rejected] == [(3, "cannot read the instant 'soon'")]


def test_a_mapping_mistake_names_its_field(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("source: x\ncolumns: {ticket: a, at: b, state: c, colour: d}\n", "utf-8")
    with pytest.raises(DefinitionError, match="unknown field 'colour'"):
        load_mapping(str(path))
    path.write_text("source: x\ntimezone: Mars/Base\ncolumns: {ticket: a, at: b, state: c}\n")
    with pytest.raises(DefinitionError, match="unknown time zone"):
        load_mapping(str(path))
