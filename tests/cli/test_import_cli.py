"""``slm import tickets``: the complete ServiceNow event log imports whole, re-imports as a
no-op, and evaluates; bad rows stop an import unless the valid ones are accepted."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.catalog import offerings as catalog
from servicelevel.services.catalog.offerings import ServiceData
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import tickets
from servicelevel.services.requirements import whatif
from servicelevel.services.shared.uow import unit_of_work

runner = CliRunner()
SERVICENOW = (
    Path(__file__).resolve().parents[3]
    / "shared"
    / "data"
    / ("servicenow_incident_event_log.csv.gz")
)


def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    return url


@pytest.mark.skipif(not SERVICENOW.exists(), reason="the shared data is not beside the project")
def test_the_servicenow_log_imports_whole_once_and_evaluates(tmp_path: Path) -> None:
    url = database(tmp_path)
    args = ["import", "tickets", str(SERVICENOW), "-m", "servicenow", "--url", url]
    last: dict[str, str] = {}  # independent counts, straight from the file
    opened: dict[str, dt.datetime] = {}
    updated: dict[str, dt.datetime] = {}
    with gzip.open(SERVICENOW, "rt") as handle:
        for row in csv.DictReader(handle):
            if row["incident_state"] == "-100":
                continue
            number = row["number"]
            last[number] = row["priority"]
            at = dt.datetime.strptime(row["sys_updated_at"], "%d/%m/%Y %H:%M")  # noqa: DTZ007
            start = dt.datetime.strptime(row["opened_at"], "%d/%m/%Y %H:%M")  # noqa: DTZ007
            updated[number] = min(updated.get(number, at), at)
            opened[number] = min(opened.get(number, start), at, start)
    # 141,712 rows less the 5 with the source's anomalous state -100, and an opening event
    # for each incident opened before its first update
    events = 141_707 + sum(1 for n in opened if opened[n] < updated[n])
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert f"{events} event(s) stored (0 already there), 24918 new ticket(s)" in first.stdout
    again = runner.invoke(app, args)
    assert f"0 event(s) stored ({events} already there)" in again.stdout
    critical = sum(1 for p in last.values() if p == "1 - Critical")
    # what-if loads the tickets opened in March 2016 or up to 90 days before
    window = (dt.datetime(2016, 3, 1) - dt.timedelta(days=90), dt.datetime(2016, 4, 1))
    loaded = sum(1 for at in opened.values() if window[0] <= at < window[1])
    with unit_of_work(url) as session:
        assert tickets.list_tickets(session, actor=SYSTEM, priority="P1").total == critical
        cal = calendars.create_calendar(
            session, actor=SYSTEM, code="always", definition={"timezone": "UTC", "hours": "24x7"}
        )
        service = catalog.create_service(
            session, actor=SYSTEM, data=ServiceData("it-support", "IT support", calendar_id=cal.id)
        )
        session.flush()
        answer = whatif.what_if(
            session,
            actor=SYSTEM,
            service_id=service.id,
            metric="resolution",
            priority="P3",
            within="5d",
            objective=0.9,
            period="2016-03",
            now=dt.datetime(2017, 3, 1, tzinfo=dt.UTC),
        )
    assert answer.tickets == loaded
    assert answer.compliance is not None
    assert answer.compliance.met + answer.compliance.breached > 5_000  # decided in March
    assert answer.compliance.within is not None
    assert 0 < answer.compliance.within < 1


def test_a_bad_row_stops_the_import_unless_valid_rows_are_accepted(tmp_path: Path) -> None:
    url = database(tmp_path)
    source = tmp_path / "events.csv"
    source.write_text(
        "ticket,at,state,event,service,priority\n"
        "T1,2026-03-02T09:00:00+08:00,New,created,email,P1\n"
        "T1,yesterday,Resolved,resolved,email,P1\n"
        "T2,2026-03-02T10:00:00+08:00,New,created,email,P2\n",
        encoding="utf-8",
    )
    refused = runner.invoke(app, ["import", "tickets", str(source), "--url", url])
    assert refused.exit_code == 2
    assert "line 3: cannot read the instant 'yesterday'" in refused.stderr
    rejects = tmp_path / "rejects.csv"
    accepted = runner.invoke(
        app,
        [
            "import",
            "tickets",
            str(source),
            "--accept-valid",
            "--rejects",
            str(rejects),
            "--url",
            url,
        ],
    )
    assert accepted.exit_code == 0, accepted.stderr
    assert "2 event(s) stored" in accepted.stdout
    assert "1 row(s) rejected" in accepted.stdout
    assert "3,cannot read the instant 'yesterday',T1" in rejects.read_text(encoding="utf-8")
