"""``slm db upgrade``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from servicelevel.cli.main import app

runner = CliRunner()


def test_upgrade_creates_a_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    result = runner.invoke(app, ["db", "upgrade", "--url", url])
    assert result.exit_code == 0, result.stderr
    assert "up to date" in result.stdout
    assert "party" in inspect(create_engine(url)).get_table_names()
    again = runner.invoke(app, ["db", "upgrade", "--url", url])
    assert again.exit_code == 0


def test_an_unreachable_database_is_a_message() -> None:
    result = runner.invoke(app, ["db", "upgrade", "--url", "postgresql://nobody@127.0.0.1:1/x"])
    assert result.exit_code == 2
    assert "database" in result.stderr
    assert "Traceback" not in result.stderr
