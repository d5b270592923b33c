"""``slm import tickets`` with a mapping's lookups: unknown customers are named with their line
(nothing imported) or created when asked; the export's other columns reach the ticket."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from servicelevel.cli.main import app
from servicelevel.db.models import Party, Ticket, TicketEvent
from servicelevel.services.shared.uow import unit_of_work

runner = CliRunner()
MAPPING = """source: desk
timezone: UTC
columns: {ticket: id, at: at, state: state}
constants: {service: mail}
lookup:
  customer: {from: company, values: {}, unknown: keep}
duplicates: report
"""
EXPORT = (
    "id,at,state,company,group\n"
    "T1,2026-03-02T09:00:00,New,acme,Desk\n"
    "T1,2026-03-02T10:00:00,,acme,Network\n"
    "T1,2026-03-02T10:00:00,,acme,Network\n"
)


def files(tmp_path: Path) -> tuple[str, str, str]:
    url = f"sqlite:///{tmp_path / 'slm.sqlite3'}"
    assert runner.invoke(app, ["db", "upgrade", "--url", url]).exit_code == 0
    (tmp_path / "m.yaml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "e.csv").write_text(EXPORT, encoding="utf-8")
    return url, str(tmp_path / "m.yaml"), str(tmp_path / "e.csv")


def test_an_unknown_customer_stops_the_import_unless_it_is_created(tmp_path: Path) -> None:
    url, mapping, export = files(tmp_path)
    args = ["import", "tickets", export, "-m", mapping, "--url", url]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 2
    assert "no customer acme" in refused.stderr
    assert "line 2" in refused.stderr
    made = runner.invoke(app, [*args, "--create-customers"])
    assert made.exit_code == 0, made.stderr
    assert "1 customer(s) created: acme" in made.stdout
    assert "1 duplicate row(s) stored once (line 4 = line 3)" in made.stdout
    with unit_of_work(url) as session:
        party = session.scalars(select(Party).where(Party.code == "acme")).one()
        ticket = session.scalars(select(Ticket)).one()
        changes = [e.changes for e in session.scalars(select(TicketEvent).order_by("seq"))]
    assert party.kind == "customer"
    assert (ticket.customer_id, ticket.state) == (party.id, "New")
    assert ticket.attributes == {"group": "Network"}
    assert [c.get("attributes") for c in changes] == [{"group": "Desk"}, {"group": "Network"}]


def test_a_row_is_the_same_event_in_a_full_export_and_in_an_export_of_changes(
    tmp_path: Path,
) -> None:
    url, mapping, _ = files(tmp_path)
    full = tmp_path / "full.csv"
    full.write_text(
        "id,at,state,company,group\n"
        "T1,2026-03-02T09:00:00,New,acme,Desk\n"
        "T1,2026-03-02T10:00:00,Active,acme,Desk\n"
        "T1,2026-03-02T11:00:00,Resolved,acme,Network\n",
        encoding="utf-8",
    )
    args = ["import", "tickets", str(full), "-m", mapping, "--create-customers", "--url", url]
    assert runner.invoke(app, args).exit_code == 0
    latest = tmp_path / "latest.csv"  # only the latest update, its columns as they stand
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    latest.write_text(lines[0] + lines[2], encoding="utf-8")
    again = runner.invoke(app, ["import", "tickets", str(latest), "-m", mapping, "--url", url])
    assert again.exit_code == 0, again.stderr
    assert "0 event(s) stored (1 already there)" in again.stdout
