"""What ``slm`` imports to start: each command imports what it uses, listing them imports none.

Every check runs the console script's entry point in a fresh interpreter, so that what this test
process has imported already (SQLAlchemy, through the other tests) cannot hide an import. The
times themselves are measured by ``benchmarks/bench_cli.py``, never asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from servicelevel.cli.lazy import LazyCommand
from servicelevel.cli.main import COMMANDS

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
ENTRY_POINT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
    "scripts"
]["slm"]
# Database, web, PDF, migrations, workbooks and the compiled engine kernel: none is needed to
# list the commands or to compute on a calendar file.
HEAVY = ("sqlalchemy", "fastapi", "weasyprint", "alembic", "openpyxl", "numba")
COMMAND_MODULES = {entry.target.partition(":")[0] for entry in COMMANDS.values()}

# Load the entry point as the console script does, note what is imported, run the command if
# asked (argv after "run"), note again; the report is the last line of stdout.
PROBE = """
import importlib, json, sys
module, _, attribute = sys.argv[1].partition(":")
app = getattr(importlib.import_module(module), attribute)
imported = sorted(sys.modules)
status = None
if sys.argv[2] == "run":
    try:
        app(sys.argv[3:], prog_name="slm")
    except SystemExit as exc:
        status = exc.code
print()
print(json.dumps({"imported": imported, "ran": sorted(sys.modules), "status": status}))
"""


def slm(*args: str, run: bool = True, cache: Path | None = None) -> tuple[str, dict[str, Any]]:
    """Run ``slm ARGS`` (or only import it) in a new interpreter: its output, and what it had
    imported; ``cache`` is the user's cache directory it sees (``XDG_CACHE_HOME``)."""
    env = {**os.environ, "COLUMNS": "200"}  # each command's help on one line
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ENTRY_POINT, "run" if run else "import", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    output, _, report = done.stdout.rstrip("\n").rpartition("\n")
    return output, json.loads(report)


def top_level(modules: list[str], among: tuple[str, ...]) -> set[str]:
    return {name.partition(".")[0] for name in modules} & set(among)


def test_importing_the_entry_point_imports_no_command_nor_a_library_one_may_need() -> None:
    _, report = slm(run=False)
    assert COMMAND_MODULES & set(report["imported"]) == set()
    assert top_level(report["imported"], (*HEAVY, "numpy", "holidays")) == set()


@pytest.mark.parametrize("args", [("--help",), ()])
def test_listing_the_commands_imports_none_of_them(args: tuple[str, ...]) -> None:
    output, report = slm(*args)
    assert report["status"] == (0 if args else 2)  # no arguments: the help, as a usage error
    for name, entry in COMMANDS.items():
        assert f" {name} " in output
        assert entry.help.split("\n")[0] in output
    assert COMMAND_MODULES & set(report["ran"]) == set()
    assert top_level(report["ran"], (*HEAVY, "numpy", "holidays")) == set()


@pytest.mark.parametrize(
    "calendar", sorted(p.name for p in (EXAMPLES / "calendars").glob("*.yaml"))
)
def test_a_calendar_command_imports_no_database_web_pdf_kernel_or_settings(calendar: str) -> None:
    output, report = slm(
        "calendar",
        "elapsed",
        "--calendar",
        str(EXAMPLES / "calendars" / calendar),
        "2025-03-03T08:00:00+08:00",
        "2025-03-10T08:00:00+08:00",
        "--format",
        "json",
    )
    assert report["status"] == 0
    assert json.loads(output)["seconds"] > 0
    assert "servicelevel.cli.calendar" in report["ran"]
    # The settings library (~0.2 s) is read only when a setting is set, not for its defaults.
    assert top_level(report["ran"], (*HEAVY, "pydantic_settings")) == set()


def test_the_beijing_calendar_counts_as_before_when_run_alone() -> None:
    output, report = slm(
        "calendar",
        "elapsed",
        "-c",
        str(EXAMPLES / "calendars" / "beijing-office.yaml"),
        "2025-03-03T08:00:00+08:00",
        "2025-03-04T10:00:00+08:00",
    )
    assert (report["status"], output.strip()) == (0, "8h 30m (30600 seconds)")


@pytest.mark.parametrize("command", ["elapsed", "show"])
def test_a_calendar_command_run_again_reads_its_holidays_from_the_cache_not_the_package(
    command: str, tmp_path: Path
) -> None:
    calendar = str(EXAMPLES / "calendars" / "beijing-office.yaml")
    args = {
        "elapsed": ("2025-03-03T08:00:00+08:00", "2025-10-10T08:00:00+08:00"),
        "show": ("--year", "2025", "--month", "10"),
    }[command]
    first, cold = slm("calendar", command, "-c", calendar, *args, cache=tmp_path)
    second, warm = slm("calendar", command, "-c", calendar, *args, cache=tmp_path)
    assert "holidays" in top_level(cold["ran"], ("holidays",))
    assert top_level(warm["ran"], ("holidays",)) == set()
    assert (warm["status"], second) == (cold["status"], first) == (0, first)


def test_evaluating_the_examples_imports_no_database_web_or_pdf_library_nor_numba() -> None:
    output, report = slm(
        "evaluate",
        "--agreement",
        str(EXAMPLES / "agreements" / "demo-sla.yaml"),
        "--tickets",
        str(EXAMPLES / "tickets" / "demo-tickets.csv"),
        "--outages",
        str(EXAMPLES / "outages" / "demo-outages.csv"),
        "--period",
        "2025-03",
        "--format",
        "json",
    )
    assert report["status"] == 0
    assert json.loads(output)["targets"]
    assert "servicelevel.engine" in report["ran"]
    assert top_level(report["ran"], ("sqlalchemy", "fastapi", "weasyprint", "alembic")) == set()
    assert top_level(report["ran"], ("openpyxl",)) == set()
    # a few hundred tickets are measured by the kernel's source interpreted (engine.kernels)
    assert top_level(report["ran"], ("numba",)) == set()


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_command_list_says_what_each_command_says_of_itself(name: str) -> None:
    command = LazyCommand(name, COMMANDS[name]).load()
    assert (command.name, command.help) == (name, COMMANDS[name].help)
