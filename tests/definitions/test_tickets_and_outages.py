"""Ticket event CSVs and outage lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from servicelevel.definitions.outages import by_service, read_outages
from servicelevel.definitions.source import DefinitionError
from servicelevel.definitions.tickets import BadRowsError, read_tickets

SHANGHAI = ZoneInfo("Asia/Shanghai")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_events_are_sorted_states_and_attributes_carry_forward(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        "ticket,at,state,event,priority,service\n"
        "B,2025-03-03T10:00:00,New,created,P3,email\n"
        "A,2025-03-03T09:30:00+08:00,Active,,,\n"
        "A,2025-03-03T09:00:00+08:00,New,created,P3,erp\n"
        "A,2025-03-03T09:45:00+08:00,,responded,P1,\n",
    )
    tickets = read_tickets(path, SHANGHAI)
    assert tickets.ids == ("A", "B")
    tl = tickets.timelines
    assert [tl.states[s] for s in tl.state] == ["New", "Active", "Active", "New"]
    assert tl.events[tl.event[2]] == "responded"
    assert tickets.attributes["priority"].label(0) == "P1"  # the latest value counts
    assert tickets.attributes["service"].label(0) == "erp"
    assert tl.at[3] == int(dt.datetime(2025, 3, 3, 2, tzinfo=dt.UTC).timestamp())


def test_a_team_column_says_who_holds_each_ticket_after_each_event(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        "ticket,at,state,team\n"
        "A,2025-03-03T09:00:00+08:00,New,service-desk\n"
        "A,2025-03-03T09:30:00+08:00,Active,network\n"
        "A,2025-03-03T10:00:00+08:00,Waiting,\n"  # a blank keeps the network team
        "B,2025-03-03T10:00:00+08:00,New,\n"  # B never names a team: none holds it
        "B,2025-03-03T11:00:00+08:00,Active,\n",
    )
    tickets = read_tickets(path, SHANGHAI)
    assert tickets.holders is not None
    holders = [tickets.holders.label(i) for i in range(5)]
    assert holders == ["service-desk", "network", "network", "", ""]
    without = write(tmp_path, "u.csv", "ticket,at,state\nA,2025-03-03T09:00:00+08:00,New\n")
    assert read_tickets(without, SHANGHAI).holders is None


def test_bad_rows_are_all_listed_with_row_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.csv",
        "ticket,at,state\n"
        "A,2025-03-03T09:00:00Z,New\n"
        ",2025-03-03T09:00:00Z,New\n"
        "B,yesterday,New\n"
        "C,2025-03-03T09:00:00,New\n",
    )
    with pytest.raises(BadRowsError) as caught:
        read_tickets(path)
    rows = [(e.row, e.reason.split(":")[0]) for e in caught.value.errors]
    assert rows == [(3, "ticket is empty"), (4, "at"), (5, "at")]
    assert "no UTC offset" in str(caught.value)


def test_a_ticket_must_start_with_a_state(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "ticket,at,state\nA,2025-03-03T09:00:00Z,\n")
    with pytest.raises(BadRowsError, match="row 2: first event of ticket A has no state"):
        read_tickets(path)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    path = write(tmp_path, "t.csv", "id,time\nA,2025\n")
    with pytest.raises(DefinitionError, match="missing column\\(s\\): ticket, at"):
        read_tickets(path)


def test_outages_from_csv_and_yaml_agree(tmp_path: Path) -> None:
    csv_path = write(
        tmp_path,
        "o.csv",
        "service,start,end,planned\n"
        "erp,2025-03-03T10:00:00+08:00,2025-03-03T11:00:00+08:00,false\n"
        "erp,2025-03-04T10:00:00+08:00,2025-03-04T11:00:00+08:00,yes\n",
    )
    yaml_path = write(
        tmp_path,
        "o.yaml",
        "outages:\n"
        "  - {service: erp, start: 2025-03-03T10:00:00+08:00, end: 2025-03-03T11:00:00+08:00}\n"
        "  - {service: erp, start: 2025-03-04 10:00, end: 2025-03-04 11:00, planned: true}\n",
    )
    a, b = read_outages(csv_path), read_outages(yaml_path, SHANGHAI)
    assert [(r.start, r.end, r.planned) for r in a] == [(r.start, r.end, r.planned) for r in b]
    grouped = by_service(a)
    assert grouped["erp"].planned.tolist() == [False, True]


def test_outage_errors_name_row_or_line(tmp_path: Path) -> None:
    bad_csv = write(
        tmp_path,
        "o.csv",
        "service,start,end,planned\nerp,2025-03-03T11:00:00Z,2025-03-03T10:00:00Z,false\n",
    )
    with pytest.raises(BadRowsError, match="row 2: end is before start"):
        read_outages(bad_csv)
    bad_yaml = write(tmp_path, "o.yaml", "- service: erp\n  start: 2025-03-03T10:00:00Z\n")
    with pytest.raises(DefinitionError) as caught:
        read_outages(bad_yaml)
    assert caught.value.line == 1
    assert caught.value.field == "0.end"
