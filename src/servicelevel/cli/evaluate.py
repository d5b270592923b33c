"""``slm evaluate``: every target of an agreement over a ticket file, for one period."""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from servicelevel.cli.errors import reports_errors
from servicelevel.definitions.agreements import load_agreement
from servicelevel.definitions.instants import parse_instant
from servicelevel.definitions.outages import by_service, read_outages
from servicelevel.definitions.tickets import read_tickets
from servicelevel.engine.durations import format_seconds
from servicelevel.engine.evaluation import evaluate as run_evaluation
from servicelevel.engine.periods import month, parse_period
from servicelevel.reports.figures import Figures, figures
from servicelevel.reports.spreadsheets import csv_rows

out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@reports_errors
def evaluate(
    agreement: str = typer.Option(..., "--agreement", "-a", help="Agreement file (YAML)."),
    tickets: str = typer.Option(..., "--tickets", "-t", help="Ticket event CSV."),
    outages: str = typer.Option("", "--outages", "-o", help="Outage list (CSV or YAML)."),
    period: str = typer.Option(
        "", "--period", "-p", help="2025-03, 2025-Q1, 2025, 2025-W10 or 2025-03-01..2025-03-15."
    ),
    now: str = typer.Option("", "--now", help="Evaluate as of this instant (default: now)."),
    timezone: str = typer.Option(
        "", "--timezone", help="Zone of instants without offset (default: agreement's)."
    ),
    output: Format = typer.Option(Format.table, "--format", "-f", help="table, json or csv."),
) -> None:
    """Evaluate every target: compliance, breaches, availability and service credits."""
    deal = load_agreement(agreement)
    zone = ZoneInfo(timezone or deal.timezone)
    with _progress() as bar:
        task = bar.add_task("reading tickets", total=len(deal.targets) + 1)
        ticket_set = read_tickets(tickets, zone)
        bar.advance(task)
        outage_map = by_service(read_outages(outages, zone)) if outages else {}
        as_of = parse_instant(now, zone) if now else int(dt.datetime.now(dt.UTC).timestamp())
        chosen = parse_period(period, deal.timezone) if period else _current(as_of, deal.timezone)

        def step(target_id: str) -> None:
            bar.update(task, advance=1, description=f"evaluated {target_id}")

        result = run_evaluation(deal, ticket_set, chosen, as_of, outage_map, step)
    figs = figures(result, ticket_set)
    if output is Format.json:
        typer.echo(json.dumps(figs.as_dict(), ensure_ascii=False, indent=2))
    elif output is Format.csv:
        _write_csv(figs)
    else:
        _print_tables(figs)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def _current(as_of: int, timezone: str) -> Any:
    local = dt.datetime.fromtimestamp(as_of, ZoneInfo(timezone))
    return month(local.year, local.month, timezone)


def _write_csv(figs: Figures) -> None:
    """A tidy CSV: one figure per row (section, id, figure, value)."""
    csv.writer(sys.stdout, lineterminator="\n").writerows(csv_rows(figs))


def _yes(value: bool | None) -> str:
    return "—" if value is None else ("[green]yes[/]" if value else "[red]no[/]")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}%".replace(".00%", "%")


def _dur(value: int | float | None) -> str:
    """Two most significant units are enough to read a table."""
    if value is None:
        return "—"
    return " ".join(format_seconds(int(value)).split()[:2])


def _print_tables(figs: Figures) -> None:
    a = figs.agreement
    out.print(
        f"[bold]{a['kind']} {a['id']}[/] {a['title']} — {a['provider']} ↔ {a['counterparty']}\n"
        f"period {a['period']} ({a['period_start']} – {a['period_end']}), as of {a['as_of']}, "
        f"{a['tickets']} tickets"
    )
    t = Table(title="Targets")
    for col in (
        "target",
        "applies to",
        "within",
        "met",
        "breached",
        "open",
        "achieved",
        "objective",
        "met?",
        "p50",
        "p90",
    ):
        t.add_column(col, justify="right" if col not in ("target", "applies to") else "left")
    for r in figs.targets:
        t.add_row(
            r["target"],
            r["applies_to"],
            r["within"],
            str(r["met"]),
            str(r["breached"]),
            str(r["open"]),
            _pct(r["within_pct"]),
            _pct(r["objective_pct"]),
            _yes(r["objective_met"]),
            _dur(r["p50_seconds"]),
            _dur(r["p90_seconds"]),
        )
    out.print(t)
    if figs.availability:
        av = Table(title="Availability (service hours)")
        for col in (
            "target",
            "availability",
            "objective",
            "met?",
            "downtime",
            "outages",
            "MTTR",
            "MTBF",
            "budget left",
            "burn rate",
        ):
            av.add_column(col, justify="left" if col == "target" else "right")
        for r in figs.availability:
            av.add_row(
                r["target"],
                _pct(r["availability_pct"]),
                _pct(r["objective_pct"]),
                _yes(r["objective_met"]),
                _dur(r["downtime_seconds"]),
                str(r["outages"]),
                _dur(r["mttr_seconds"]),
                _dur(r["mtbf_seconds"]),
                _dur(r["budget_left_seconds"]),
                "—" if r["burn_rate"] is None else f"{r['burn_rate']:.2f}",
            )
        out.print(av)
    if figs.credits is not None:
        c = figs.credits
        ct = Table(title=f"Service credits (fee {c['fee']:,.2f} {c['currency']})")
        for col in ("clause", "target", "achieved", "breaches", "amount", "why"):
            ct.add_column(col)
        for line in c["lines"]:
            ct.add_row(
                line["clause"],
                line["target"],
                _pct(line["metric_pct"]),
                str(line["breaches"]),
                f"{line['amount']:,.2f}",
                line["reason"],
            )
        ct.add_row(
            "[bold]total[/]",
            "",
            "",
            "",
            f"[bold]{c['total']:,.2f}[/]",
            "capped by the agreement" if c["capped"] else "",
        )
        out.print(ct)
    _print_breaches(figs.breaches)


def _print_breaches(rows: list[dict[str, Any]], shown: int = 20) -> None:
    if not rows:
        out.print("No breaches in the period.")
        return
    worst = sorted(rows, key=lambda r: -r["over_seconds"])[:shown]
    bt = Table(title=f"Breaches: {len(rows)} in the period (the {len(worst)} largest)")
    for col in ("target", "ticket", "breached at", "stopped at", "used", "allowed", "over by"):
        bt.add_column(col)
    for r in worst:
        bt.add_row(
            r["target"],
            r["ticket"],
            r["breached_at"],
            r["stopped_at"] or "open",
            _dur(r["used_seconds"]),
            _dur(r["budget_seconds"]),
            _dur(r["over_seconds"]),
        )
    out.print(bt)
    if len(rows) > shown:
        out.print("--format json or csv lists every breach.")
