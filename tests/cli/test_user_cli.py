"""``slm user create`` against a fresh SQLite database."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.services.identity import accounts as identity
from servicelevel.services.shared.uow import unit_of_work

runner = CliRunner()


def test_create_a_user_then_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    result = runner.invoke(
        app,
        ["user", "create", "li.na", "--role", "service_level_manager", "--url", url],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.stderr
    with unit_of_work(url) as session:
        actor = identity.authenticate(session, username="li.na", password="a long enough password")
    assert actor.roles == {"service_level_manager"}


def test_mistakes_are_messages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    runner.invoke(app, ["db", "upgrade", "--url", url])
    cases = [
        (["user", "create", "x", "--role", "emperor", "--url", url], "unknown role"),
        (
            ["user", "create", "x", "--role", "customer_representative:NOPE", "--url", url],
            "unknown party",
        ),
        (["user", "create", "x", "--url", url, "--password", "short"], "at least"),
    ]
    for args, words in cases:
        result = runner.invoke(app, args, input="a long enough password\na long enough password\n")
        assert result.exit_code == 2, result.stdout
        assert words in result.stderr
