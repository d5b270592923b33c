"""Outage lists (docs/formats.md#outages): CSV or YAML → :class:`Outages` per service.

CSV columns ``service,start,end,planned`` (``planned`` true/false/yes/no/1/0, blank = false;
an optional ``id`` and ``title`` are kept for people). YAML: a list (or ``outages:`` list) of
mappings with the same keys. Maintenance windows are outages with ``planned: true``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from servicelevel.definitions.csvfiles import csv_lines
from servicelevel.definitions.instants import parse_instant
from servicelevel.definitions.source import read_yaml
from servicelevel.definitions.tickets import parse_rows
from servicelevel.engine.availability import Outages

_TRUE = {"true", "yes", "y", "1", "planned"}
_FALSE = {"false", "no", "n", "0", "", "unplanned"}


@dataclass(frozen=True)
class OutageRecord:
    service: str
    start: int
    end: int
    planned: bool
    id: str = ""
    title: str = ""


class OutageModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: str
    start: str
    end: str
    planned: bool = False
    id: str = ""
    title: str = ""


def _planned(text: str | None) -> bool:
    value = (text or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"planned must be true or false, not {text!r}")


def _record(row: dict[str, Any], zone: ZoneInfo | None) -> OutageRecord:
    service = str(row.get("service") or "").strip()
    if not service:
        raise ValueError("service is empty")
    start = parse_instant(str(row.get("start") or ""), zone)
    end = parse_instant(str(row.get("end") or ""), zone)
    if end < start:
        raise ValueError("end is before start")
    planned = row.get("planned")
    flag = planned if isinstance(planned, bool) else _planned(planned)
    return OutageRecord(
        service, start, end, flag, str(row.get("id") or ""), str(row.get("title") or "")
    )


def read_outages(path: str | Path, zone: ZoneInfo | None = None) -> list[OutageRecord]:
    """Read an outage list, CSV or YAML by extension."""
    p = Path(path)
    if p.suffix.lower() in (".yaml", ".yml"):
        return _read_yaml(p, zone)
    with csv_lines(p) as lines:
        return parse_outage_csv(lines, str(path), zone)


def parse_outage_csv(
    lines: Iterable[str], name: str, zone: ZoneInfo | None = None
) -> list[OutageRecord]:
    """Outages from CSV text (a file, or a body posted to the API); every bad row listed."""
    return parse_rows(lines, name, ("service", "start", "end"), lambda _, row: _record(row, zone))


def _read_yaml(path: Path, zone: ZoneInfo | None) -> list[OutageRecord]:
    doc = read_yaml(path)
    items = doc.data.get("outages") if isinstance(doc.data, dict) else doc.data
    prefix: tuple[str, ...] = ("outages",) if isinstance(doc.data, dict) else ()
    if not isinstance(items, list):
        raise doc.error(prefix, "expected a list of outages")
    out = []
    for i, item in enumerate(items):
        model = doc.validate(OutageModel, item, (*prefix, i))
        try:
            out.append(_record(model.model_dump(), zone))
        except ValueError as exc:
            raise doc.error((*prefix, i), str(exc)) from None
    return out


def by_service(records: list[OutageRecord]) -> dict[str, Outages]:
    """Group outage records into per-service arrays for the engine."""
    grouped: dict[str, list[tuple[int, int, bool]]] = {}
    for r in records:
        grouped.setdefault(r.service, []).append((r.start, r.end, r.planned))
    return {k: Outages.of(v) for k, v in grouped.items()}
