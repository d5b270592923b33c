"""``slm apply`` / ``slm export`` with connections (kind ``connection``): the shipped examples
(examples/connectors/) are applied, applying them again changes nothing, what export writes
applies as nothing to change, and a mistake names its file and line with nothing written."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.db.models import AuditEntry, Connection
from servicelevel.services.shared.uow import unit_of_work
from tests.integration.conftest import fresh_postgres

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "connectors"


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


def test_the_example_connections_apply_once_and_export_back_as_nothing_to_change(
    tmp_path: Path, url: str
) -> None:
    folder = tmp_path / "connectors"
    shutil.copytree(EXAMPLES, folder)
    args = ["apply", "-f", str(folder), "--url", url]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    for name in ("servicenow", "jira", "zammad"):
        assert f"connection {name}: created" in first.stdout
    with unit_of_work(url) as session:
        made = {c.name: c for c in session.scalars(select(Connection))}
        audited = len(session.scalars(select(AuditEntry)).all())
        assert (made["jira"].kind, made["jira"].interval_seconds) == ("jira", 300)
        assert made["servicenow"].settings["auth"]["secret_env"] == "SN_PASSWORD"
    again = runner.invoke(app, args)
    assert again.exit_code == 0, again.stderr
    assert "nothing to change" in again.stdout
    exported = tmp_path / "all.yaml"
    done = runner.invoke(app, ["export", "-o", str(exported), "--url", url])
    assert done.exit_code == 0, done.stderr
    assert "wrote 3 document(s)" in done.stdout
    back = runner.invoke(app, ["apply", "-f", str(exported), "--url", url])
    assert back.exit_code == 0, back.stderr
    assert "nothing to change" in back.stdout
    with unit_of_work(url) as session:
        assert len(session.scalars(select(AuditEntry)).all()) == audited


def test_a_changed_connection_is_updated_with_its_diff(tmp_path: Path, url: str) -> None:
    doc = tmp_path / "jira.yaml"
    shutil.copy(EXAMPLES / "jira.yaml", doc)
    assert runner.invoke(app, ["apply", "-f", str(doc), "--url", url]).exit_code == 0
    text = doc.read_text(encoding="utf-8").replace("interval_seconds: 300", "interval_seconds: 600")
    doc.write_text(text, encoding="utf-8")
    changed = runner.invoke(app, ["apply", "-f", str(doc), "--url", url])
    assert changed.exit_code == 0, changed.stderr
    assert "-interval_seconds: 300" in changed.stdout
    assert "+interval_seconds: 600" in changed.stdout
    assert "connection jira: updated" in changed.stdout


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("type: gopher", "a.yaml:3: type: kind must be one of"),
        (
            "settings: {auth: {kind: basic, username: u,\n  password: hunter2}}",
            "a.yaml:7: settings.auth.password: a secret is never stored:",
        ),
    ],
)
def test_a_mistake_names_file_and_line_and_writes_nothing(
    tmp_path: Path, url: str, line: str, said: str
) -> None:
    doc = tmp_path / "a.yaml"
    head = "kind: connection\nname: desk\n"
    rest = "type: rt\nbase_url: https://rt.example\nmapping: rt\n"
    fields = rest.replace("type: rt", line) if line.startswith("type") else rest + line + "\n"
    doc.write_text(head + fields, encoding="utf-8")
    refused = runner.invoke(app, ["apply", "-f", str(doc), "--url", url])
    assert refused.exit_code == 2, refused.stdout
    assert said in " ".join(refused.stderr.split())
    assert "hunter2" not in refused.stderr + refused.stdout
    with unit_of_work(url) as session:
        assert session.scalars(select(Connection)).all() == []
