"""docs/architecture.md is a map a newcomer follows: every path it names exists, and its two
pictures are the import contracts lint-imports enforces (the layers, the service contexts)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
SERVICES = ROOT / "src" / "servicelevel" / "services"


def contract(name_starts: str) -> dict[str, Any]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    found: list[dict[str, Any]] = [c for c in contracts if c["name"].startswith(name_starts)]
    assert len(found) == 1
    return found[0]


def pictures() -> list[list[set[str]]]:
    """Each mermaid chart's chain, top to bottom: the names on each step."""
    charts = re.findall(r"```mermaid\n(.*?)```", DOC, re.S)
    chains = []
    for chart in charts:
        [line] = [ln for ln in chart.splitlines() if "-->" in ln]
        chains.append([{n.strip() for n in step.split("&")} for step in line.split("-->")])
    return chains


def steps(layers: list[str], prefix: str = "") -> list[set[str]]:
    return [{n.strip().removeprefix(prefix) for n in re.split(r"[|:]", layer)} for layer in layers]


def test_every_path_the_map_names_exists() -> None:
    named = set(re.findall(r"`((?:src|tests|docs)/[^`*<>\s]+)`", DOC))
    missing = sorted(p for p in named if not (ROOT / p).exists())
    assert len(named) > 40
    assert missing == []


def test_every_context_folder_the_map_names_is_a_package_of_services() -> None:
    named = set(re.findall(r"`services/(\w+)/`", DOC))
    assert named == {p.name for p in SERVICES.iterdir() if (p / "__init__.py").exists()}


def test_the_picture_of_layers_is_the_layers_contract() -> None:
    layers = contract("Layers point down only")["layers"]
    assert pictures()[0] == steps(layers, "servicelevel.")


def test_the_picture_of_contexts_is_the_contexts_contract() -> None:
    layers = contract("Service contexts point down only")["layers"]
    assert pictures()[1] == steps(layers)


def test_the_demo_is_kept_above_the_services_by_a_contract() -> None:
    forbidden = contract("The demo's loaders")
    assert forbidden["forbidden_modules"] == ["servicelevel.demo"]
    assert "servicelevel.services" in forbidden["source_modules"]
