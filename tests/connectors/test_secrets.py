"""A connection reads its secret only where a connection may: never servicelevel's own
settings (its key, its database password), only the variables a deployment lists when it
lists them, and files only in the connectors' secrets directory, links followed."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelevel.connectors.base import ConnectorError
from servicelevel.connectors.secrets import read_secret


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    kept = tmp_path / "connector-secrets"
    kept.mkdir()
    monkeypatch.setenv("SLM_CONNECTOR_SECRETS_DIR", str(kept))
    monkeypatch.delenv("SLM_CONNECTOR_SECRET_ENV", raising=False)
    return kept


def test_a_variable_is_read_but_never_one_of_servicelevels_own_settings(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RT_PASSWORD", "rt-secret")
    monkeypatch.setenv("SLM_SECRET_KEY", "the-deployment-key")
    assert read_secret(env="RT_PASSWORD") == "rt-secret"
    for own in ("SLM_SECRET_KEY", "slm_database_url"):
        with pytest.raises(ConnectorError, match="servicelevel's own settings") as caught:
            read_secret(env=own)
        assert "the-deployment-key" not in str(caught.value)


def test_a_deployment_that_lists_its_variables_lets_only_those_be_read(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLM_CONNECTOR_SECRET_ENV", "RT_PASSWORD, JIRA_API_TOKEN")
    monkeypatch.setenv("RT_PASSWORD", "rt-secret")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "cloud")
    assert read_secret(env="RT_PASSWORD") == "rt-secret"
    with pytest.raises(ConnectorError, match="not among the variables"):
        read_secret(env="AWS_SECRET_ACCESS_KEY")


def test_a_file_is_read_only_in_the_secrets_directory_links_followed(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "rt").write_text("rt-secret\n", encoding="utf-8")
    assert read_secret(path=str(folder / "rt")) == "rt-secret"
    outside = tmp_path / "elsewhere"
    outside.write_text("not for connections", encoding="utf-8")
    (folder / "sneaky").symlink_to(outside)
    for path in (outside, folder / "sneaky", folder / ".." / "elsewhere"):
        with pytest.raises(ConnectorError, match="not in the connectors' secrets directory"):
            read_secret(path=str(path))
    with pytest.raises(ConnectorError, match="not an absolute path"):
        read_secret(path="rt")
