"""`slm key create` makes the deployment's key file; other commands never make one and say
where it was expected, and a missing home is a message, not a traceback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servicelevel import settings
from servicelevel.cli.main import app

runner = CliRunner()


@pytest.fixture
def key_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    settings.get_settings.cache_clear()
    settings._load_secret.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    settings.get_settings.cache_clear()
    settings._load_secret.cache_clear()


def test_key_create_makes_the_file_once_and_keeps_it(
    tmp_path: Path, key_env: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "keys" / "secret"
    key_env.setenv("SLM_SECRET_FILE", str(path))
    made = runner.invoke(app, ["key", "create"])
    assert made.exit_code == 0, made.output
    assert f"key file {path} made" in made.output
    key = path.read_text(encoding="utf-8")
    settings._load_secret.cache_clear()
    kept = runner.invoke(app, ["key", "create"])
    assert kept.exit_code == 0
    assert "kept" in kept.output
    assert path.read_text(encoding="utf-8") == key


def test_a_command_other_than_serve_or_key_create_makes_no_key(
    tmp_path: Path, key_env: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "elsewhere" / "secret"
    key_env.setenv("SLM_SECRET_FILE", str(path))
    key_env.setenv("SLM_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = runner.invoke(app, ["key", "path"])
    assert result.output.strip() == str(path)
    loaded = settings.get_settings()
    with pytest.raises(settings.KeyFileError, match="no key file at"):
        loaded.secret()
    assert not path.exists()


def test_no_home_directory_is_one_line_naming_the_way_out(
    key_env: pytest.MonkeyPatch,
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    key_env.delenv("SLM_SECRET_FILE", raising=False)
    key_env.delenv("SLM_SECRET_KEY", raising=False)
    key_env.delenv("XDG_DATA_HOME", raising=False)
    key_env.setattr(Path, "home", staticmethod(no_home))
    result = runner.invoke(app, ["key", "create"])
    assert result.exit_code == 2
    assert "no home directory" in result.output
    assert "SLM_SECRET_FILE" in result.output
    assert "Traceback" not in result.output
