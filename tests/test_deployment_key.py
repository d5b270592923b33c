"""The deployment's key: made at run time outside any working tree, never a published one."""

from __future__ import annotations

import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicelevel import settings
from servicelevel.settings import InsecureKeyError, KeyFileError, Settings, default_secret_file

# The key that was committed to the repository (servicelevel.secret, removed): public.
PUBLISHED = "g7TFGukUgo1c0Lpm8b3hUesSrLBD1QsI28CBvsc9jYy2uMFxWJusTVJBhvKPx9Dj"


@pytest.fixture(autouse=True)
def no_remembered_keys() -> Iterator[None]:
    settings._load_secret.cache_clear()
    yield
    settings._load_secret.cache_clear()


def test_the_key_file_is_made_by_the_server_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret"
    key = Settings(secret_file=str(path)).secret(create=True)
    assert len(key) >= 64
    assert path.read_text(encoding="utf-8") == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings._load_secret.cache_clear()
    assert Settings(secret_file=str(path)).secret() == key  # the next start reads the same


def test_by_default_the_key_lives_in_the_users_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_secret_file() == tmp_path / "data" / "servicelevel" / "secret"
    key = Settings(secret_file="").secret(create=True)
    assert (tmp_path / "data" / "servicelevel" / "secret").read_text(encoding="utf-8") == key
    monkeypatch.delenv("XDG_DATA_HOME")
    assert default_secret_file() == Path.home() / ".local" / "share" / "servicelevel" / "secret"


def test_a_key_file_inside_a_git_working_tree_is_refused(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path / "repo")], check=True)
    inside = tmp_path / "repo" / "deploy" / "servicelevel.secret"
    with pytest.raises(InsecureKeyError, match="git working tree"):
        Settings(secret_file=str(inside)).secret()
    assert not inside.exists()  # refused before anything was written


def test_the_repository_of_servicelevel_itself_is_a_working_tree_too() -> None:
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        pytest.skip("not run from a git checkout")
    with pytest.raises(InsecureKeyError, match="git working tree"):
        Settings(secret_file=str(root / "deploy" / "servicelevel.key")).secret(create=True)


def test_a_key_file_inside_the_package_is_refused() -> None:
    inside = Path(settings.__file__).parent / "servicelevel.secret"
    with pytest.raises(InsecureKeyError, match="inside the servicelevel package"):
        Settings(secret_file=str(inside)).secret()
    assert not inside.exists()


def test_the_published_key_is_refused_from_the_environment_and_from_a_file(
    tmp_path: Path,
) -> None:
    with pytest.raises(InsecureKeyError, match="published"):
        Settings(secret_key=PUBLISHED).secret()
    old = tmp_path / "secret"
    old.write_text(PUBLISHED + "\n", encoding="utf-8")
    with pytest.raises(InsecureKeyError, match="published"):
        Settings(secret_file=str(old)).secret()


def test_the_published_key_file_is_no_longer_in_the_repository() -> None:
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        pytest.skip("not run from a git checkout")
    tracked = subprocess.run(
        ["git", "-C", str(root), "ls-files", "servicelevel.secret"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert tracked == ""


def test_the_server_refuses_to_start_with_the_published_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from servicelevel.app import create_app

    monkeypatch.setenv("SLM_SECRET_KEY", PUBLISHED)
    settings.get_settings.cache_clear()
    try:
        with (
            pytest.raises(InsecureKeyError, match="published"),
            TestClient(create_app(f"sqlite:///{tmp_path / 'db.sqlite3'}")),
        ):
            pass
    finally:
        monkeypatch.delenv("SLM_SECRET_KEY")
        settings.get_settings.cache_clear()


def test_only_the_server_makes_a_key_other_commands_name_the_missing_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "keys" / "secret"
    with pytest.raises(KeyFileError, match=rf"no key file at {path}.*slm key create"):
        Settings(secret_file=str(path)).secret()
    assert not path.exists()


def test_a_home_that_is_a_dotfiles_repository_keeps_the_key_when_it_ignores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    subprocess.run(["git", "init", "-q", str(home)], check=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    with pytest.raises(InsecureKeyError, match=r"does not ignore it.*\.gitignore"):
        Settings(secret_file="").secret(create=True)
    (home / ".gitignore").write_text(".local/\n", encoding="utf-8")
    key = Settings(secret_file="").secret(create=True)
    assert (home / ".local" / "share" / "servicelevel" / "secret").read_text("utf-8") == key


def test_a_relative_xdg_data_home_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "relative/data")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_secret_file() == tmp_path / ".local" / "share" / "servicelevel" / "secret"


def test_no_home_directory_is_a_clear_error_with_the_way_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    with pytest.raises(KeyFileError, match=r"no home directory.*SLM_SECRET_FILE"):
        Settings(secret_file="").secret(create=True)


def test_a_key_folder_that_cannot_be_made_is_a_clear_error_with_the_way_out(
    tmp_path: Path,
) -> None:
    in_the_way = tmp_path / "a-file"  # where the folder should be (as root, too)
    in_the_way.write_text("", encoding="utf-8")
    with pytest.raises(KeyFileError, match=r"cannot make the key file.*SLM_SECRET_FILE"):
        Settings(secret_file=str(in_the_way / "sub" / "secret")).secret(create=True)


def test_a_short_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InsecureKeyError, match="1 characters; a key needs at least 32"):
        Settings(secret_key="x").secret()
    short = tmp_path / "secret"
    short.write_text("too-short\n", encoding="utf-8")
    with pytest.raises(InsecureKeyError, match="at least 32"):
        Settings(secret_file=str(short)).secret()
    assert Settings(secret_key="k" * 32).secret() == "k" * 32
