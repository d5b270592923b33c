"""The mappings shipped under examples/ read (a slice of) the real logs they were made for:
the BPI Challenge 2013 Volvo IT incidents and the help desk event log."""

from __future__ import annotations

import gzip
from collections import Counter
from itertools import islice
from pathlib import Path

import pytest

from servicelevel.definitions.ticket_mappings import load_mapping, read_rows

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
BPI = DATA / "bpi2013_incidents_events.csv.gz"
HELPDESK = DATA / "helpdesk_event_log.csv.gz"


def head(source: Path, tmp_path: Path, rows: int) -> Path:
    """The header and the first ``rows`` rows, as they are (CRLF kept)."""
    path = tmp_path / source.name.removesuffix(".gz")
    with gzip.open(source, "rb") as handle:
        path.write_bytes(b"".join(islice(handle, rows + 1)))
    return path


@pytest.mark.skipif(not BPI.exists(), reason="the shared data is not beside the project")
def test_the_bpi2013_mapping_reads_the_volvo_log(tmp_path: Path) -> None:
    mapping = load_mapping(str(ROOT / "examples" / "bpi2013" / "mapping.yaml"))
    rows, rejected = read_rows(head(BPI, tmp_path, 3000), mapping)
    assert rejected == []
    assert len(rows) == 3000
    first = rows[0]
    assert (first["ticket"], first["state"], first["priority"]) == (
        "1-364285768",
        "In Progress",
        "P3",
    )
    assert first["attributes"]["team"] == "V30"
    assert first["attributes"]["status"] == "Accepted"
    assert first["at"].utcoffset() is not None
    states = Counter(r["state"] for r in rows)
    assert {"In Progress", "Awaiting Assignment", "Wait - User", "Closed"} <= set(states)
    for ticket in {r["ticket"] for r in rows}:
        at = [r["at"] for r in rows if r["ticket"] == ticket]
        assert at == sorted(at)


@pytest.mark.skipif(not HELPDESK.exists(), reason="the shared data is not beside the project")
def test_the_helpdesk_mapping_reads_the_log_and_reports_its_duplicates(tmp_path: Path) -> None:
    mapping = load_mapping(str(ROOT / "examples" / "helpdesk" / "mapping.yaml"))
    rows, rejected = read_rows(head(HELPDESK, tmp_path, 21_348), mapping)
    assert [r for r in rejected if r.fatal] == []
    assert len(rejected) == 127  # the rows given twice, word for word
    assert all(r.reason.startswith("the same row as line ") for r in rejected)
    assert len(rows) == 21_348 - 127
    assert len({r["ticket"] for r in rows}) == 4580
    first = rows[0]
    assert (first["ticket"], first["state"], first["service"]) == (
        "Case 1",
        "Assign seriousness",
        "helpdesk",
    )
    assert first["customer"] == "Value 1"
    assert first["attributes"]["team"] == "Value 1"
    assert first["attributes"]["Resource"] == "Value 1"
