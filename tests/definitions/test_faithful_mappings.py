"""Mappings keep what the source says: unmapped columns as attributes, lookups for customer,
service and team, blank cells keeping the previous value, the order the mapping chooses, the
opening instant, and rows given twice reported by line."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from servicelevel.definitions.source import DefinitionError
from servicelevel.definitions.ticket_mappings import load_mapping, read_rows

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SERVICENOW = DATA / "servicenow_incident_event_log.csv.gz"
UTC = dt.UTC


def mapping(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mapping.yaml"
    path.write_text("source: test\ntimezone: UTC\n" + text, encoding="utf-8")
    return path


def export(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    return path


BASIC = "columns: {ticket: id, at: at, state: state}\nconstants: {service: mail}\n"


def test_unmapped_columns_become_attributes_kept_where_they_change(tmp_path: Path) -> None:
    rows, rejected = read_rows(
        export(
            tmp_path,
            "id,at,state,group,made_sla\n"
            "T1,2026-03-02T09:00:00,New,Desk,true\n"
            "T1,2026-03-02T10:00:00,Active,Desk,false\n"
            "T1,2026-03-02T11:00:00,Resolved,,false\n",
        ),
        load_mapping(str(mapping(tmp_path, BASIC))),
    )
    assert rejected == []
    assert [r["attributes"] for r in rows] == [
        {"group": "Desk", "made_sla": "true"},
        {"made_sla": "false"},
        {},
    ]


def test_a_mapping_may_keep_no_attributes_or_only_those_it_lists(tmp_path: Path) -> None:
    csv = export(tmp_path, "id,at,state,group,made_sla\nT1,2026-03-02T09:00:00,New,Desk,true\n")
    none = load_mapping(str(mapping(tmp_path, BASIC + "attributes: none\n")))
    assert read_rows(csv, none)[0][0]["attributes"] == {}
    listed = load_mapping(str(mapping(tmp_path, BASIC + "attributes: [made_sla]\n")))
    assert read_rows(csv, listed)[0][0]["attributes"] == {"made_sla": "true"}


LOOKUP = """columns: {ticket: id, at: at, state: state}
lookup:
  customer: {from: location, values: {"Location 1": contoso, "Location 2": fabrikam}}
  service: {from: category, values: {}, default: it-support}
  team: {from: group, values: {}, unknown: keep}
"""


def test_customer_service_and_team_are_read_through_the_mappings_lookup(tmp_path: Path) -> None:
    rows, rejected = read_rows(
        export(
            tmp_path,
            "id,at,state,location,category,group\n"
            "T1,2026-03-02T09:00:00,New,Location 2,Cat 9,Group 56\n",
        ),
        load_mapping(str(mapping(tmp_path, LOOKUP))),
    )
    assert rejected == []
    assert (rows[0]["customer"], rows[0]["service"]) == ("fabrikam", "it-support")
    assert rows[0]["attributes"] == {"team": "Group 56"}


def test_an_unknown_lookup_value_is_named_with_its_line(tmp_path: Path) -> None:
    rows, rejected = read_rows(
        export(
            tmp_path,
            "id,at,state,location,category,group\n"
            "T1,2026-03-02T09:00:00,New,Location 1,Cat 9,G\n"
            "T2,2026-03-02T09:00:00,New,Location 7,Cat 9,G\n",
        ),
        load_mapping(str(mapping(tmp_path, LOOKUP))),
    )
    assert [r["ticket"] for r in rows] == ["T1"]
    assert [(r.line, r.fatal) for r in rejected] == [(3, True)]
    assert "unknown customer 'Location 7' in column location" in rejected[0].reason


def test_a_lookup_of_a_field_that_has_none_is_a_mapping_error(tmp_path: Path) -> None:
    bad = mapping(tmp_path, BASIC + "lookup: {priority: {from: p, values: {}}}\n")
    with pytest.raises(DefinitionError, match="a lookup reads one of customer, service, team"):
        load_mapping(str(bad))


def test_a_blank_state_keeps_the_previous_one_and_a_first_blank_is_refused(
    tmp_path: Path,
) -> None:
    rows, rejected = read_rows(
        export(
            tmp_path,
            "id,at,state,note\n"
            "T1,2026-03-02T09:00:00,New,a\n"
            "T1,2026-03-02T10:00:00,,b\n"
            "T2,2026-03-02T10:00:00,,c\n",
        ),
        load_mapping(str(mapping(tmp_path, BASIC))),
    )
    assert [(r["ticket"], r["state"]) for r in rows] == [("T1", "New"), ("T1", "New")]
    assert [(r.line, r.reason) for r in rejected] == [
        (4, "no state, and no earlier row of ticket T2 to take it from")
    ]


OUT_OF_ORDER = (
    "id,at,state,n\n"
    "T1,2026-03-02T11:10:00,New,1\n"
    "T1,2026-03-02T09:52:00,New,1\n"
    "T1,2026-03-02T11:03:00,Resolved,2\n"
    "T1,2026-03-02T10:00:00,Active,0\n"
)


@pytest.mark.parametrize(
    ("order", "states"),
    [
        ("time", ["New", "Active", "Resolved", "New"]),
        ("file", ["New", "New", "Resolved", "Active"]),
        ("sequence", ["Active", "New", "New", "Resolved"]),
    ],
)
def test_events_follow_the_order_the_mapping_chooses(
    tmp_path: Path, order: str, states: list[str]
) -> None:
    text = "columns: {ticket: id, at: at, state: state, sequence: n}\n"
    chosen = load_mapping(str(mapping(tmp_path, f"{text}order: {order}\n")))
    rows, rejected = read_rows(export(tmp_path, OUT_OF_ORDER), chosen)
    assert rejected == []
    assert [r["state"] for r in rows] == states
    instants = [r["at"] for r in rows]
    assert instants == sorted(instants)  # an instant never runs backwards
    if order == "sequence":  # earlier updates are not later than the updates after them
        assert instants[1:3] == [dt.datetime(2026, 3, 2, 9, 52, tzinfo=UTC)] * 2


def test_order_by_sequence_needs_a_sequence_column(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError, match="order: sequence needs a column"):
        load_mapping(str(mapping(tmp_path, BASIC + "order: sequence\n")))


def test_the_clock_may_start_at_a_mapped_opening_instant(tmp_path: Path) -> None:
    text = "columns: {ticket: id, at: at, state: state, opened: opened}\n"
    rows, rejected = read_rows(
        export(
            tmp_path,
            "id,at,state,opened\n"
            "T1,2026-03-02T09:52:00,New,2026-03-02T09:48:00\n"
            "T1,2026-03-02T11:03:00,Resolved,2026-03-02T09:48:00\n"
            "T2,2026-03-02T09:52:00,New,2026-03-02T10:00:00\n",
        ),
        load_mapping(str(mapping(tmp_path, text))),
    )
    assert rejected == []
    assert [(r["ticket"], r["state"], r["at"].strftime("%H:%M")) for r in rows] == [
        ("T1", "New", "09:48"),  # the opening event
        ("T1", "New", "09:52"),
        ("T1", "Resolved", "11:03"),
        ("T2", "New", "09:52"),  # opened after its first update: nothing earlier to add
    ]


def test_rows_given_twice_are_refused_or_reported_with_their_lines(tmp_path: Path) -> None:
    csv = export(
        tmp_path,
        "id,at,state\nT1,2026-03-02T09:00:00,New\nT1,2026-03-02T09:00:00,New\n",
    )
    rows, rejected = read_rows(csv, load_mapping(str(mapping(tmp_path, BASIC))))
    assert len(rows) == 1
    assert [(r.line, r.reason, r.fatal) for r in rejected] == [(3, "the same row as line 2", True)]
    told = load_mapping(str(mapping(tmp_path, BASIC + "duplicates: report\n")))
    rows, rejected = read_rows(csv, told)
    assert len(rows) == 1
    assert [(r.line, r.fatal) for r in rejected] == [(3, False)]


@pytest.mark.skipif(not SERVICENOW.exists(), reason="the shared data is not beside the project")
def test_servicenow_inc0000137_is_no_false_reopen_in_update_order(tmp_path: Path) -> None:
    """Its two updates numbered 1 are stamped 11:10 and 09:52; by time it reopens at 11:10."""
    with gzip.open(SERVICENOW, "rt", encoding="ascii") as handle:
        header = next(handle)
        lines = [line for line in handle if line.startswith("INC0000137,")]
    path = tmp_path / "inc137.csv"
    path.write_text(header + "".join(lines), encoding="ascii")
    rows, rejected = read_rows(path, load_mapping("servicenow"))
    assert rejected == []
    timeline = [(r["state"], r["at"].strftime("%d %H:%M")) for r in rows]
    assert timeline == [
        ("New", "29 09:48"),  # opened_at
        ("New", "29 09:52"),
        ("New", "29 09:52"),  # stamped 11:10, but its successor was at 09:52
        ("Resolved", "29 11:03"),
        ("Closed", "05 12:00"),
    ]
    resolved = rows[3]["at"] - rows[0]["at"]
    assert resolved == dt.timedelta(hours=1, minutes=15)
    assert rows[0]["attributes"]["made_sla"] == "true"
    assert rows[0]["attributes"]["team"]
