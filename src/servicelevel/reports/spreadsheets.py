"""A report's figures as a spreadsheet (XLSX) and as CSV — the same rows the CLI, the web page
and the PDF show (``reports.figures``), as numbers a reader can calculate with.

The workbook has one sheet per section of the figures model (Summary, Targets, Availability,
Credits, Breaches, breaches by priority and category, the trends, …), with a bold header row
and percentages and seconds as plain numbers; the CSV is tidy, one figure per row:
``section, id, target, figure, value``. Both read the model's dictionary, so a published
revision's files come from the figures it kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from servicelevel.reports.figures import Figures

if TYPE_CHECKING:  # `slm evaluate` uses csv_rows: it should not import SQLAlchemy or openpyxl
    from sqlalchemy.orm import Session

    from servicelevel.services.identity.permissions import Actor


def _model(figs: Figures | Mapping[str, Any]) -> Mapping[str, Any]:
    """The figures as their JSON model (a published revision keeps that dictionary)."""
    return figs.as_dict() if isinstance(figs, Figures) else figs


def _blank(value: Any) -> Any:
    return "" if value is None else value


def csv_rows(figs: Figures | Mapping[str, Any]) -> Iterator[list[Any]]:
    """``section, id, target, figure, value`` rows of every figure (header first): ``target``
    names the target a row is about (empty for the agreement's own figures), so two breaches
    of one ticket — one per target — are two distinguishable rows."""
    f = _model(figs)
    yield ["section", "id", "target", "figure", "value"]
    for key, value in f["agreement"].items():
        yield ["agreement", f["agreement"]["id"], "", key, _blank(value)]
    for section, rows, key in (
        ("target", f["targets"], "target"),
        ("availability", f["availability"], "target"),
        ("breach", f["breaches"], "ticket"),
        ("trend", f["trend"], "period"),
        ("availability_trend", f.get("availability_trend", []), "period"),
        ("distribution", f["distribution"], "bucket"),
    ):
        for row in rows:
            for name, value in row.items():
                if name not in (key, "target"):
                    yield [section, row[key], row["target"], name, _blank(value)]
    yield from _count_rows(f.get("breach_counts") or {})
    if f["satisfaction"] is not None:
        for name, value in f["satisfaction"].items():
            yield ["satisfaction", f["satisfaction"]["period"], "", name, _blank(value)]
    if f["credits"] is not None:
        for name in ("fee", "currency", "total", "capped"):
            yield ["credits", "total", "", name, f["credits"][name]]
        for line in f["credits"]["lines"]:
            for name, value in line.items():
                if name not in ("clause", "target"):
                    yield ["credit", line["clause"], line["target"], name, _blank(value)]


def _count_rows(counts: Mapping[str, Any]) -> Iterator[list[Any]]:
    """The breaches that count (by priority and category) and the excluded ones."""
    for name in ("counted", "excluded"):
        if name in counts:
            yield ["breaches", "total", "", name, counts[name]]
    for key in ("priority", "category"):
        for row in counts.get(f"by_{key}", []):
            yield [f"breaches_by_{key}", row[key], "", "count", row["count"]]


def csv_of(figs: Figures | Mapping[str, Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(csv_rows(figs))
    return out.getvalue()


def sheets(f: Mapping[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The workbook's sheets: one per section of the figures model."""
    counts = f.get("breach_counts") or {}
    summary = [{"figure": k, "value": v} for k, v in f["agreement"].items()]
    summary += [
        {"figure": f"breaches_{k}", "value": counts[k]}
        for k in ("counted", "excluded")
        if k in counts
    ]
    return [
        ("Summary", summary),
        ("Targets", f["targets"]),
        ("Availability", f["availability"]),
        ("Credits", f["credits"]["lines"] if f["credits"] else []),
        ("Breaches", f["breaches"]),
        ("Breaches by priority", counts.get("by_priority", [])),
        ("Breaches by category", counts.get("by_category", [])),
        ("Trend", f["trend"]),
        ("Availability trend", f.get("availability_trend", [])),
        ("Distribution", f["distribution"]),
        ("Satisfaction", [f["satisfaction"]] if f["satisfaction"] else []),
    ]


def xlsx_of(figs: Figures | Mapping[str, Any]) -> bytes:
    """The workbook, as bytes. Written in openpyxl's write-only mode: rows go to the file as
    they come instead of becoming a cell object each (a month of 74,000 breaches is 666,000
    cells); the sheets, values, bold headers and column widths are those of a normal
    workbook."""
    from openpyxl import Workbook  # here, not at the top: ~0.3 s that only a workbook needs

    f = _model(figs)
    book = Workbook(write_only=True)
    for title, rows in sheets(f):
        sheet = book.create_sheet(title)
        _table(sheet, rows)
        if title == "Credits" and f["credits"] is not None:
            sheet.append([])
            for name in ("fee", "currency", "total", "capped"):
                sheet.append([name, f["credits"][name]])
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
    """An agreement's live report figures for a period as ``xlsx``, ``csv`` or ``json``, named
    after the agreement and the period."""
    from servicelevel.services.reporting import (
        compute as service_reports,  # the database, only for stored reports
    )

    figs = service_reports.report_figures(
        session, actor=actor, agreement_id=agreement_id, period=period, now=dt.datetime.now(dt.UTC)
    ).as_dict()
    return file_of(figs, f"{figs['agreement']['code']}-{figs['agreement']['period']}", kind)


def file_of(figs: Mapping[str, Any], stem: str, kind: str) -> ReportFile:
    """The figures model as a file: ``csv``, ``xlsx`` or ``json``."""
    name = f"{stem}.{kind}"
    if kind == "csv":
        return ReportFile(csv_of(figs).encode("utf-8"), "text/csv; charset=utf-8", name)
    if kind == "json":
        text = json.dumps(figs, ensure_ascii=False, indent=1)
        return ReportFile(text.encode("utf-8"), "application/json", name)
    return ReportFile(xlsx_of(figs), XLSX, name)
