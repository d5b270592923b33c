"""From the ServiceNow export to a published service report in five commands (README), on a
slice of the real log; recomputing a draft says why nothing was measured; ``--as-of`` judges a
clock still running by the time used up to that instant."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.db.models import Measurement, Ticket
from servicelevel.services.shared.uow import unit_of_work
from tests.integration.conftest import fresh_postgres

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "servicenow"
LOG = ROOT.parent / "shared" / "data" / "servicenow_incident_event_log.csv.gz"


def slm(*args: str) -> str:
    done = runner.invoke(app, list(args))
    assert done.exit_code == 0, done.stderr
    return done.stdout


def measurement_of(url: str, number: str) -> Measurement:
    with unit_of_work(url) as session:
        query = select(Measurement).join(Ticket, Ticket.id == Measurement.ticket_id)
        return session.scalars(query.where(Ticket.external_id == number)).one()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend (``slm db upgrade`` migrates it)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'slm.sqlite3'}"
        return
    with fresh_postgres() as made:
        yield made


@pytest.mark.skipif(not LOG.exists(), reason="the shared data is not beside the project")
def test_five_commands_take_the_servicenow_log_to_a_published_report(
    tmp_path: Path, url: str
) -> None:
    export = tmp_path / "incidents.csv"
    with gzip.open(LOG, "rb") as handle:
        export.write_bytes(b"".join(islice(handle, 2001)))  # INC0000137 is on lines 359-362
    slm("db", "upgrade", "--url", url)
    slm("apply", "-f", str(EXAMPLE / "setup"), "--sign-as", "owner,customer-rep", "--url", url)
    mapping = str(EXAMPLE / "mapping.yaml")
    assert "new ticket(s)" in slm("import", "tickets", str(export), "-m", mapping, "--url", url)
    measured = slm("recompute", "SLA-UCI-2016", "--now", "--url", url)
    assert "'met':" in measured
    assert "nothing measured" not in measured
    published = slm("report", "publish", "SLA-UCI-2016", "--period", "2016-03", "--url", url)
    assert "published SLA-UCI-2016 2016-03, revision 1" in published
    # in update order INC0000137 was resolved 1.25 h after it was opened: no false reopen
    inc137 = measurement_of(url, "INC0000137")
    assert (inc137.status, inc137.used_seconds) == ("met", 4500)


def test_recomputing_a_draft_says_why_nothing_was_measured(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    slm("db", "upgrade", "--url", url)
    slm("apply", "-f", str(EXAMPLE / "setup"), "--url", url)
    said = slm("recompute", "SLA-UCI-2016", "--now", "--url", url)
    assert "0 measurement(s)" in said
    assert "nothing measured: SLA-UCI-2016 has no version in force (version 1 is draft)" in said


def test_as_of_an_instant_a_running_clock_is_not_breached_beyond_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    slm("db", "upgrade", "--url", url)
    slm("apply", "-f", str(EXAMPLE / "setup"), "--sign-as", "owner,customer-rep", "--url", url)
    events = tmp_path / "open.csv"
    events.write_text(
        "ticket,at,state,priority,service,customer\n"
        "OPEN-1,2016-06-01T00:00:00+00:00,New,P1,it-support,uci-company\n",
        encoding="utf-8",
    )
    slm("import", "tickets", str(events), "--url", url)
    slm("recompute", "SLA-UCI-2016", "--as-of", "2016-06-01T02:00:00Z", "--url", url)
    then = measurement_of(url, "OPEN-1")
    assert (then.status, then.used_seconds, then.breached_at) == ("running", 7200, None)
    slm("recompute", "SLA-UCI-2016", "--now", "--url", url)
    now = measurement_of(url, "OPEN-1")
    assert now.status == "breached"
    assert now.used_seconds > 365 * 86400  # open ever since: years of a 24x7 clock
    early = runner.invoke(
        app, ["recompute", "SLA-UCI-2016", "--as-of", "2015-06-01T00:00:00Z", "--url", url]
    )
    assert "comes into force at 2016-01-01T00:00:00+00:00" in early.stdout
