"""``slm apply`` / ``slm export``: documents of every kind applied idempotently, with a dry run
that changes nothing, mistakes named by file and line with nothing half-written, agreements put
in force by their signatories (audited), and the objects listed and shown."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.db.models import AuditEntry, Party
from servicelevel.services.shared.uow import unit_of_work
from tests.integration.conftest import fresh_postgres

runner = CliRunner()
SETUP = Path(__file__).resolve().parents[2] / "examples" / "servicenow" / "setup"
CHANNEL = """kind: channel
name: desk-mail
type: email
address: desk@example.com
agreement: SLA-UCI-2016
party: uci-company
notices: [breach]
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database on each backend."""
    if request.param == "sqlite":
        made = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
        assert runner.invoke(app, ["db", "upgrade", "--url", made]).exit_code == 0
        yield made
        return
    with fresh_postgres() as made:
        assert runner.invoke(app, ["db", "upgrade", "--url", made]).exit_code == 0
        yield made


def setup_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "setup"
    shutil.copytree(SETUP, folder)
    (folder / "zz-channel.yaml").write_text(CHANNEL, encoding="utf-8")
    return folder


def test_a_dry_run_shows_the_diff_and_changes_nothing(tmp_path: Path, url: str) -> None:
    dry = runner.invoke(app, ["apply", "-f", str(setup_dir(tmp_path)), "--dry-run", "--url", url])
    assert dry.exit_code == 0, dry.stderr
    assert "+code: uci-company" in dry.stdout
    assert "dry run: 7 change(s) not made" in dry.stdout
    with unit_of_work(url) as session:
        assert session.scalars(select(Party)).all() == []


def test_applying_twice_changes_nothing_the_second_time(tmp_path: Path, url: str) -> None:
    args = ["apply", "-f", str(setup_dir(tmp_path)), "--url", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert "service it-support: created" in first.stdout
    assert "channel desk-mail: created" in first.stdout
    with unit_of_work(url) as session:
        audited = len(session.scalars(select(AuditEntry)).all())
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.stderr
    assert "nothing to change: the database already says what the files say" in again.stdout
    with unit_of_work(url) as session:
        assert len(session.scalars(select(AuditEntry)).all()) == audited


def test_what_export_writes_applies_as_nothing_to_change(tmp_path: Path, url: str) -> None:
    assert (
        runner.invoke(app, ["apply", "-f", str(setup_dir(tmp_path)), "--url", url]).exit_code == 0
    )
    exported = tmp_path / "all.yaml"
    done = runner.invoke(app, ["export", "-o", str(exported), "--url", url])
    assert done.exit_code == 0, done.stderr
    assert "wrote 5 document(s)" in done.stdout  # party, calendar, service, agreement, channel
    again = runner.invoke(app, ["apply", "-f", str(exported), "--url", url])
    assert again.exit_code == 0, again.stderr
    assert "nothing to change" in again.stdout


def test_a_changed_document_is_updated_with_its_diff(tmp_path: Path, url: str) -> None:
    folder = setup_dir(tmp_path)
    assert runner.invoke(app, ["apply", "-f", str(folder), "--url", url]).exit_code == 0
    service = folder / "service.yaml"
    service.write_text(
        service.read_text(encoding="utf-8").replace("within: 8h", "within: 6h"), encoding="utf-8"
    )
    changed = runner.invoke(app, ["apply", "-f", str(folder), "--url", url])
    assert changed.exit_code == 0, changed.stderr
    assert "-    within: 8h" in changed.stdout
    assert "+    within: 6h" in changed.stdout
    assert "service it-support: updated" in changed.stdout
    shown = runner.invoke(app, ["service", "show", "it-support", "--url", url])
    assert "within: 6h" in shown.stdout
    assert "status: published" in shown.stdout  # revised, changed and published again


def test_a_mistake_names_file_and_line_and_writes_nothing(tmp_path: Path, url: str) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "kind: party\ncode: acme\ntype: customer\nname: Acme\n"
        "---\n"
        "kind: service\ncode: mail\nname: Mail\ncalendar: nowhere\n",
        encoding="utf-8",
    )
    refused = runner.invoke(app, ["apply", "-f", str(folder), "--url", url])
    assert refused.exit_code == 2
    assert f"{folder / 'a.yaml'}:9: calendar: no calendar nowhere" in " ".join(
        refused.stderr.split()
    )
    with unit_of_work(url) as session:
        assert session.scalars(select(Party)).all() == []  # the party before it: rolled back
    (folder / "a.yaml").write_text("kind: party\ncode: acme\ntype: client\nname: A\n", "utf-8")
    refused = runner.invoke(app, ["apply", "-f", str(folder), "--url", url])
    assert refused.exit_code == 2
    assert "a.yaml:3: type:" in " ".join(refused.stderr.split())  # the line of the mistake


def test_signatories_put_the_agreement_in_force_audited_step_by_step(
    tmp_path: Path, url: str
) -> None:
    args = ["apply", "-f", str(SETUP), "--sign-as", "owner,customer-rep", "--url", url]
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.stderr
    assert "SLA SLA-UCI-2016: put in force" in done.stdout
    with unit_of_work(url) as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-5:] == ["propose", "approve", "sign", "sign", "activate"]
    again = runner.invoke(app, args)
    assert "nothing to change" in again.stdout


def test_one_signatory_cannot_put_an_agreement_in_force(tmp_path: Path, url: str) -> None:
    args = ["apply", "-f", str(SETUP), "--sign-as", "owner", "--url", url]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2
    assert "name a signatory for each side" in refused.stderr
    with unit_of_work(url) as session:
        assert session.scalars(select(Party)).all() == []


def test_parties_services_and_calendars_are_listed_and_shown(tmp_path: Path, url: str) -> None:
    assert runner.invoke(app, ["apply", "-f", str(SETUP), "--url", url]).exit_code == 0
    listed = runner.invoke(app, ["party", "list", "--url", url])
    assert "uci-company  customer" in listed.stdout
    assert (
        "code: uci-company"
        in runner.invoke(app, ["party", "show", "uci-company", "--url", url]).stdout
    )
    assert "it-support  published" in runner.invoke(app, ["service", "list", "--url", url]).stdout
    assert "sao-paulo-office  UTC" in runner.invoke(app, ["calendar", "list", "--url", url]).stdout
    shown = runner.invoke(app, ["calendar", "show", "-c", "sao-paulo-office", "--url", url])
    assert "mon-fri: 08:00-18:00" in shown.stdout
    missing = runner.invoke(app, ["party", "show", "nobody", "--url", url])
    assert (missing.exit_code, "no party nobody" in missing.stderr) == (2, True)
