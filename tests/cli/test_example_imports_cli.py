"""``slm import tickets`` stores a slice of the BPI 2013 and help desk logs with the mappings
shipped under examples/, and a second import of the same slice stores nothing."""

from __future__ import annotations

import gzip
from itertools import islice
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servicelevel.cli.main import app

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
