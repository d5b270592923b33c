"""``slm agreement import/export``: agreements as code, idempotent, with a dry run."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.demo.loader import load_demo
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.uow import unit_of_work

runner = CliRunner()
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "agreements" / "demo-sla.yaml"


def demo_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    with unit_of_work(url) as session:
        load_demo(session, with_tickets=False)
    return url


def test_the_example_imports_once_exports_and_reimports_unchanged(tmp_path: Path) -> None:
    url = demo_database(tmp_path)
    dry = runner.invoke(app, ["agreement", "import", str(EXAMPLE), "--dry-run", "--url", url])
    assert dry.exit_code == 0, dry.stderr
    assert "dry run: would have created SLA-2025-001" in dry.stdout
    assert "+targets:" in dry.stdout
    with unit_of_work(url) as session:
        assert agreements.list_agreements(session, actor=SYSTEM, search="SLA-2025").total == 0
    first = runner.invoke(app, ["agreement", "import", str(EXAMPLE), "--url", url])
    assert first.exit_code == 0, first.stderr
    assert "created SLA-2025-001 (version 1, a draft)" in first.stdout
    again = runner.invoke(app, ["agreement", "import", str(EXAMPLE), "--url", url])
    assert "nothing to do" in again.stdout
    exported = tmp_path / "sla.yaml"
    out = runner.invoke(
        app, ["agreement", "export", "SLA-2025-001", "-o", str(exported), "--url", url]
    )
    assert out.exit_code == 0, out.stderr
    document = yaml.safe_load(exported.read_text(encoding="utf-8"))
    assert document["calendars"] == {"business": "beijing-office", "always": "24x7"}
    assert len(document["targets"]) == 7
    back = runner.invoke(app, ["agreement", "import", str(exported), "--url", url])
    assert "nothing to do" in back.stdout


def test_a_changed_file_shows_its_diff_and_updates_the_draft(tmp_path: Path) -> None:
    url = demo_database(tmp_path)
    runner.invoke(app, ["agreement", "import", str(EXAMPLE), "--url", url])
    changed = tmp_path / "changed.yaml"
    changed.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("within: 8h", "within: 6h"), encoding="utf-8"
    )
    dry = runner.invoke(app, ["agreement", "import", str(changed), "--dry-run", "--url", url])
    assert "-  within: 8h" in dry.stdout
    assert "+  within: 6h" in dry.stdout
    wet = runner.invoke(app, ["agreement", "import", str(changed), "--url", url])
    assert "updated the draft version 1 of SLA-2025-001" in wet.stdout


def test_a_bad_file_is_one_line_naming_the_field(tmp_path: Path) -> None:
    url = demo_database(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace("customer: CONTOSO", "customer: NOBODY"),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["agreement", "import", str(bad), "--url", url])
    assert result.exit_code == 2
    assert "(customer): no customer with code NOBODY" in result.stderr
    missing = runner.invoke(app, ["agreement", "export", "SLA-404", "--url", url])
    assert missing.exit_code == 2
    assert "no agreement SLA-404" in missing.stderr


def test_refresh_reports_what_changed(tmp_path: Path) -> None:
    url = demo_database(tmp_path)
    result = runner.invoke(app, ["agreement", "refresh", "--url", url])
    assert result.exit_code == 0, result.stderr
    assert "agreement(s) changed status" in result.stdout


def test_recompute_queues_one_job_per_agreement_covering_a_service(tmp_path: Path) -> None:
    url = demo_database(tmp_path)
    queued = runner.invoke(app, ["recompute", "--service", "email", "--url", url])
    assert queued.exit_code == 0, queued.stderr
    assert "queued 3 job(s), one per agreement covering email" in queued.stdout
    none = runner.invoke(app, ["recompute", "--service", "fax", "--url", url])
    assert none.exit_code != 0
    assert "no agreement in force covers service fax" in none.stderr
    both = runner.invoke(app, ["recompute", "SLA-X", "--service", "email", "--url", url])
    assert "name an agreement, or a service with --service (not both)" in both.stderr
