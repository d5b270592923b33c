"""Figures are the one source every rendering reads: check them against a direct count."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from servicelevel.definitions.agreements import load_agreement
from servicelevel.definitions.outages import by_service, read_outages
from servicelevel.definitions.tickets import read_tickets
from servicelevel.engine.clocks import Status
from servicelevel.engine.evaluation import evaluate
from servicelevel.engine.periods import parse_period
from servicelevel.reports.figures import figures

EX = Path(__file__).resolve().parents[2] / "examples"
NOW = 1_744_646_400  # 2025-04-14T16:00:00Z


def test_target_rows_match_the_measurements() -> None:
    deal = load_agreement(EX / "agreements" / "demo-sla.yaml")
    tickets = read_tickets(EX / "tickets" / "demo-tickets.csv", ZoneInfo(deal.timezone))
    outages = by_service(read_outages(EX / "outages" / "demo-outages.csv"))
    result = evaluate(deal, tickets, parse_period("2025-03", deal.timezone), NOW, outages)
    figs = figures(result, tickets)
    for row, r in zip(figs.targets, result.targets, strict=True):
        status = r.measurements.status[r.in_period]
        assert row["met"] == int((status == Status.MET).sum())
        assert row["breached"] == int((status == Status.BREACHED).sum())
        decided = row["met"] + row["breached"]
        if decided:
            assert row["within_pct"] == pytest.approx(100 * row["met"] / decided)  # unrounded
    breached = sum(
        int((r.measurements.status[r.in_period] == Status.BREACHED).sum()) for r in result.targets
    )
    assert len(figs.breaches) == breached
    for b in figs.breaches:
        assert b["used_seconds"] > b["budget_seconds"]
    # every breach names a ticket of the file
    assert {b["ticket"] for b in figs.breaches} <= set(np.asarray(tickets.ids).tolist())
