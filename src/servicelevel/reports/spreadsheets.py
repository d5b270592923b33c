"""A report's figures as a spreadsheet (XLSX) and as CSV — the same rows the CLI, the web page
and the PDF show (``reports.figures``), as numbers a reader can calculate with.

The workbook has one sheet per section (Summary, Targets, Availability, Credits, Breaches),
with a bold header row and percentages and seconds as plain numbers; the CSV is tidy, one
figure per row: ``section, id, figure, value``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servicelevel.reports.figures import Figures, figures

if TYPE_CHECKING:  # `slm evaluate` uses csv_rows: it should not import SQLAlchemy or openpyxl
    from sqlalchemy.orm import Session

    from servicelevel.services.permissions import Actor


def csv_rows(figs: Figures) -> Iterator[list[Any]]:
    """``section, id, figure, value`` rows of every figure (header first)."""
    yield ["section", "id", "figure", "value"]
    for key, value in figs.agreement.items():
        yield ["agreement", figs.agreement["id"], key, value]
    for section, rows, key in (
        ("target", figs.targets, "target"),
        ("availability", figs.availability, "target"),
        ("breach", figs.breaches, "ticket"),
    ):
        for row in rows:
            for name, value in row.items():
                if name != key:
                    yield [section, row[key], name, "" if value is None else value]
    for row in figs.trend:
        for name in ("met", "breached", "within_pct"):
            value = row[name]
            yield [
                "trend",
                f"{row['target']}/{row['period']}",
                name,
                "" if value is None else value,
            ]
    for row in figs.distribution:
        yield ["distribution", f"{row['target']}/{row['bucket']}", "count", row["count"]]
    if figs.satisfaction is not None:
        for name, value in figs.satisfaction.items():
            yield [
                "satisfaction",
                figs.satisfaction["period"],
                name,
                "" if value is None else value,
            ]
    if figs.credits is not None:
        for name in ("fee", "currency", "total", "capped"):
            yield ["credits", "total", name, figs.credits[name]]
        for line in figs.credits["lines"]:
            for name, value in line.items():
                if name != "clause":
                    yield ["credit", line["clause"], name, "" if value is None else value]


def csv_of(figs: Figures) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv_rows(figs))
    return out.getvalue()


def xlsx_of(figs: Figures) -> bytes:
    """The workbook, as bytes. Written in openpyxl's write-only mode: rows go to the file as
    they come instead of becoming a cell object each (a month of 74,000 breaches is 666,000
    cells); the sheets, values, bold headers and column widths are those of a normal
    workbook."""
    from openpyxl import Workbook  # here, not at the top: ~0.3 s that only a workbook needs

    book = Workbook(write_only=True)
    for title, rows in (
        ("Summary", [{"figure": k, "value": v} for k, v in figs.agreement.items()]),
        ("Targets", figs.targets),
        ("Availability", figs.availability),
        ("Credits", figs.credits["lines"] if figs.credits else []),
        ("Breaches", figs.breaches),
        ("Trend", figs.trend),
        ("Distribution", figs.distribution),
        ("Satisfaction", [figs.satisfaction] if figs.satisfaction else []),
    ):
        sheet = book.create_sheet(title)
        _table(sheet, rows)
        if title == "Credits" and figs.credits is not None:
            sheet.append([])
            for name in ("fee", "currency", "total", "capped"):
                sheet.append([name, figs.credits[name]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _table(sheet: Any, rows: list[dict[str, Any]]) -> None:
    """A header row in bold, then the rows; each column as wide as its widest text (at most
    60), set before the rows are written as a write-only sheet needs."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    if not rows:
        sheet.append(["(none)"])
        return
    header = list(rows[0])
    for i, name in enumerate(header, start=1):
        width = max(len(str(name)), *(len(str(r.get(name, ""))) for r in rows))
        sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
    bold = Font(bold=True)
    titles = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        sheet.append([_cell(row.get(name)) for name in header])


def _cell(value: Any) -> Any:
    return value if isinstance(value, int | float | str) or value is None else str(value)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ReportFile:
    content: bytes
    media_type: str
    name: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Disposition": f'attachment; filename="{self.name}"'}


def report_file(
    session: Session, *, actor: Actor, agreement_id: int, period: str, kind: str
) -> ReportFile:
    """An agreement's report figures for a period as ``xlsx`` or ``csv``, named after both."""
    from servicelevel.services import service_reports  # the database, only for stored reports

    found = service_reports.evaluation(
        session, actor=actor, agreement_id=agreement_id, period=period, now=dt.datetime.now(dt.UTC)
    )
    figs = figures(
        found.result,
        found.tickets,
        trend=service_reports.trend_rows(found),
        satisfaction=service_reports.satisfaction_row(found),
    )
    name = f"{found.agreement.code}-{found.result.period.label}.{kind}"
    if kind == "csv":
        return ReportFile(csv_of(figs).encode("utf-8"), "text/csv; charset=utf-8", name)
    return ReportFile(xlsx_of(figs), XLSX, name)
