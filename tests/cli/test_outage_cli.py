"""``slm outage import`` records a whole file, or nothing."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import outages
from servicelevel.services.shared.uow import unit_of_work

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "outages" / "demo-outages.csv"


def test_the_example_outages_are_recorded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    result = runner.invoke(app, ["outage", "import", str(EXAMPLE), "--url", url])
    assert result.exit_code == 0, result.stderr
    assert "recorded 6 outages" in result.stdout
    with unit_of_work(url) as session:
        erp = outages.list_outages(session, actor=SYSTEM, service="erp")
    assert len(erp) == 5
    assert sum(o.planned for o in erp) == 1


def test_a_bad_file_records_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    runner.invoke(app, ["db", "upgrade", "--url", url])
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "service,start,end\nerp,2025-03-03T10:00:00Z,2025-03-03T11:00:00Z\n"
        "erp,2025-03-03T12:00:00Z,2025-03-03T11:00:00Z\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["outage", "import", str(bad), "--url", url])
    assert result.exit_code == 2
    assert "row 3" in result.stderr
    with unit_of_work(url) as session:
        assert outages.list_outages(session, actor=SYSTEM) == []
