"""``slm import tickets`` stores a slice of the BPI 2013 and help desk logs with the mappings
shipped under examples/, and a second import of the same slice stores nothing; the examples'
set-ups measure them (a Volvo SLA, an OLA per help-desk workgroup)."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import sqlite3
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.definitions.calendars import load_calendar
from servicelevel.engine.business_time import Calendar

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"


@pytest.mark.parametrize(
    ("log", "mapping"),
    [("bpi2013_incidents_events.csv.gz", "bpi2013"), ("helpdesk_event_log.csv.gz", "helpdesk")],
)
def test_a_slice_of_a_real_log_imports_once(tmp_path: Path, log: str, mapping: str) -> None:
    if not (DATA / log).exists():
        pytest.skip("the shared data is not beside the project")
    path = tmp_path / "slice.csv"
    with gzip.open(DATA / log, "rb") as handle:
        path.write_bytes(b"".join(islice(handle, 1001)))
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    chosen = str(ROOT / "examples" / mapping / "mapping.yaml")
    args = ["import", "tickets", str(path), "-m", chosen, "--create-customers", "--url", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert "customer(s) created" in first.stdout
    stored = int(first.stdout.splitlines()[-1].split()[0])
    assert stored > 900
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.stderr
    assert f"0 event(s) stored ({stored} already there)" in again.stdout


def test_an_old_open_volvo_incident_is_measured_as_of_the_logs_last_day(tmp_path: Path) -> None:
    """1-739197171 was opened on 3 May 2012 and is still In Progress when the log ends."""
    log = DATA / "bpi2013_incidents_events.csv.gz"
    if not log.exists():
        pytest.skip("the shared data is not beside the project")
    path = tmp_path / "open.csv"
    with gzip.open(log, "rt", encoding="utf-8") as handle:
        lines = [next(handle), *(line for line in handle if line.startswith("1-739197171,"))]
    path.write_text("".join(lines), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    setup = ROOT / "examples" / "bpi2013" / "setup"
    for args in (
        ["db", "upgrade"],
        ["apply", "-f", str(setup), "--sign-as", "owner,volvo-rep"],
        ["import", "tickets", str(path), "-m", str(ROOT / "examples" / "bpi2013" / "mapping.yaml")],
        ["recompute", "SLA-VOLVO-2012", "--as-of", "2012-05-23T23:59:59+02:00"],
    ):
        done = runner.invoke(app, [*args, "--url", url])
        assert done.exit_code == 0, done.stderr
    assert "{'running': 1}" in done.stdout
    then = runner.invoke(app, ["recompute", "SLA-VOLVO-2012", "--now", "--url", url])
    assert "{'breached': 1}" in then.stdout  # fourteen years of office hours later


ROME_OFFICE = "name: Rome office\ntimezone: Europe/Rome\nhours: {mon-fri: 09:00-18:00}\n"
ROME_OFFICE += "holidays: {country: IT}\n"
STOPS, PAUSES = {"Resolve ticket", "Closed"}, {"Wait"}


def reference_team_clock(
    rows: list[dict[str, str]], team: str, calendar: Any, now: int
) -> tuple[int, str]:
    """A workgroup OLA's resolution status for one help-desk case, stepped through by hand: the
    clock starts at the first row, pauses while waiting or while another workgroup holds the
    case, stops when resolved or closed (and runs again on a later row), 3 business days."""
    zone = ZoneInfo("Europe/Rome")

    def at(row: dict[str, str]) -> int:
        local = dt.datetime.strptime(row["Complete Timestamp"], "%Y/%m/%d %H:%M:%S")  # noqa: DTZ007
        return int(local.replace(tzinfo=zone).timestamp())  # the log's local times, in Rome

    instants = [at(r) for r in rows] + [now]
    modes = []
    for row in rows:
        if row["Activity"] in STOPS:
            modes.append("stopped")
        elif row["Activity"] in PAUSES or row["workgroup"] != team:
            modes.append("paused")
        else:
            modes.append("running")
    spans = [(instants[i], instants[i + 1]) for i, m in enumerate(modes) if m == "running"]
    used = sum(int(calendar.elapsed([a], [b])[0]) for a, b in spans)
    first = instants[0]
    budget = int(calendar.elapsed([first], calendar.deadline_business_days([first], 3))[0])
    if used > budget:
        return used, "breached"
    return used, {"stopped": "met", "paused": "paused", "running": "running"}[modes[-1]]


def test_the_help_desk_workgroup_ola_counts_only_the_time_its_workgroup_held_each_case(
    tmp_path: Path,
) -> None:
    """The log's own rows, stepped through by hand, give the OLA's statuses (exact duplicate
    rows stored once; the 546 cases workgroup 2 held, five of them handed between workgroups)."""
    log = DATA / "helpdesk_event_log.csv.gz"
    if not log.exists():
        pytest.skip("the shared data is not beside the project")
    with gzip.open(log, "rt", encoding="utf-8") as handle:
        header, *lines = handle.read().splitlines(keepends=True)
    cases: dict[str, list[str]] = {}
    for line in lines:
        kept = cases.setdefault(line.split(",", 1)[0], [])
        if line not in kept:  # an exact duplicate row is one event
            kept.append(line)
    held = {c: ls for c, ls in cases.items() if any(ln.rstrip().endswith(",Value 2") for ln in ls)}
    path = tmp_path / "workgroup-2.csv"
    path.write_text(header + "".join(ln for ls in held.values() for ln in ls), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    setup, mapping = ROOT / "examples" / "helpdesk" / "setup", ROOT / "examples" / "helpdesk"
    for args in (
        ["db", "upgrade"],
        ["apply", "-f", str(setup), "--sign-as", "owner,workgroup-lead"],
        ["import", "tickets", str(path), "-m", str(mapping / "mapping.yaml"), "--create-customers"],
        ["recompute", "OLA-WG2", "--as-of", "2014-01-04T00:00:00Z"],
    ):
        done = runner.invoke(app, [*args, "--url", url])
        assert done.exit_code == 0, done.stderr
    (tmp_path / "rome.yaml").write_text(ROME_OFFICE, encoding="utf-8")
    calendar = Calendar(load_calendar(tmp_path / "rome.yaml"))
    now = int(dt.datetime(2014, 1, 4, tzinfo=dt.UTC).timestamp())
    want = {
        case: reference_team_clock(list(csv.DictReader([header, *ls])), "Value 2", calendar, now)
        for case, ls in held.items()
    }
    statuses = Counter(status for _, status in want.values())
    assert len(held) == 546
    assert f"546 measurement(s): {dict(sorted(statuses.items()))}" in done.stdout
    with sqlite3.connect(tmp_path / "slm.sqlite3") as db:
        stored = db.execute(
            "SELECT t.external_id, m.used_seconds, m.status FROM measurement m "
            "JOIN ticket t ON t.id = m.ticket_id"
        ).fetchall()
    assert {case: (used, status) for case, used, status in stored} == want
