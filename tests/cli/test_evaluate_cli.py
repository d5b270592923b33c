"""``slm evaluate`` over the demo files: every format carries the same figures."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from servicelevel.cli.main import app

ROOT = Path(__file__).resolve().parents[2]
EX = ROOT / "examples"
BASE = [
    "evaluate",
    "--agreement",
    str(EX / "agreements" / "demo-sla.yaml"),
    "--tickets",
    str(EX / "tickets" / "demo-tickets.csv"),
    "--outages",
    str(EX / "outages" / "demo-outages.csv"),
    "--period",
    "2025-03",
    "--now",
    "2025-04-15T00:00:00+08:00",
]
runner = CliRunner()


def run(*extra: str) -> str:
    result = runner.invoke(app, [*BASE, *extra])
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_json_has_targets_availability_credits_and_breaches() -> None:
    figs = json.loads(run("--format", "json"))
    assert figs["agreement"]["period"] == "2025-03"
    assert len(figs["targets"]) == 7
    erp = next(a for a in figs["availability"] if a["target"] == "erp-availability")
    # 10:15–12:00 (overlap merged, lunch excluded) and 14:00–15:30; night and maintenance free
    assert erp["downtime_seconds"] == (105 + 90) * 60
    assert erp["outages"] == 2
    assert figs["credits"]["total"] == 50_000  # 97.94 % is below the 98 % tier: 25 %, capped
    for row in figs["targets"]:
        decided = row["met"] + row["breached"]
        if decided:
            assert row["within_pct"] == pytest.approx(100 * row["met"] / decided)  # unrounded
    assert all(b["over_seconds"] > 0 for b in figs["breaches"])


def test_csv_carries_the_same_figures_as_json() -> None:
    figs = json.loads(run("--format", "json"))
    rows = list(csv.DictReader(io.StringIO(run("--format", "csv"))))
    tidy = {(r["section"], r["id"], r["figure"]): r["value"] for r in rows}
    for t in figs["targets"]:
        for key in ("met", "breached", "within_pct", "p90_seconds"):
            value = t[key]
            assert tidy[("target", t["target"], key)] == ("" if value is None else str(value))
    assert tidy[("credits", "total", "total")] == str(figs["credits"]["total"])


def test_table_output_names_every_target() -> None:
    out = run()
    for target in ("P1-response", "P2-resolution", "erp-availability", "total", "Breaches"):
        assert target in out


def test_bad_inputs_exit_2_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "t.csv"
    bad.write_text("ticket,at,state\nA,not-a-time,New\n", encoding="utf-8")
    args = [a if a != str(EX / "tickets" / "demo-tickets.csv") else str(bad) for a in BASE]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "row 2" in result.stderr
    result = runner.invoke(app, [*BASE[:-4], "--period", "2025-13"])
    assert result.exit_code == 2
    assert "period" in result.stderr
