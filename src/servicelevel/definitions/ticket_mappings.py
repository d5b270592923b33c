"""Mapping files: how the columns of a ticket export become ticket events.

A mapping names the column for each event field (or several, joined, for an event key), the
time format and zone of the instants, values that mean "missing", value translations (e.g.
``1 - Critical`` → ``P1``), constants (the service the tickets are for) and rows to skip.
Shipped mappings: ``servicenow``, ``jira``, ``generic`` (``servicelevel/mappings/``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict

from servicelevel.definitions.csvfiles import (
    DEFAULT_ENCODING,
    checked_encoding,
    csv_lines,
    dict_rows,
)
from servicelevel.definitions.source import DefinitionError, parse_yaml, read_yaml

FIELDS = (
    "ticket",
    "at",
    "state",
    "event",
    "service",
    "customer",
    "priority",
    "category",
    "title",
    "key",
)
SHIPPED = ("servicenow", "jira", "generic")
REQUIRED = ("ticket", "at", "state")  # other columns may be absent from a file: empty


class MappingModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    # The zone of instants written without one; none: such an instant is refused (as the API
    # refuses it), never silently taken as UTC.
    timezone: str | None = None
    encoding: str = DEFAULT_ENCODING  # the files' encoding (utf-8, gbk, big5…)
    at_format: str | None = None  # strptime format; none: ISO 8601
    missing: list[str] = []
    columns: dict[str, str | list[str]]
    constants: dict[str, str] = {}
    values: dict[str, dict[str, str]] = {}
    skip: dict[str, list[str]] = {}


@dataclass(frozen=True)
class Mapping:
    model: MappingModel
    zone: ZoneInfo | None


def load_mapping(name_or_path: str) -> Mapping:
    """A shipped mapping by name (``servicenow``) or a mapping file."""
    if name_or_path in SHIPPED:
        text = resources.files("servicelevel.mappings").joinpath(f"{name_or_path}.yaml")
        doc = parse_yaml(text.read_text("utf-8"), f"{name_or_path}.yaml")
    else:
        doc = read_yaml(Path(name_or_path))
    model = doc.validate(MappingModel)
    for name in sorted(set(model.columns) | set(model.constants)):
        if name not in FIELDS:
            raise doc.error(
                ("columns", name), f"unknown field {name!r}; fields: {', '.join(FIELDS)}"
            )
    for needed in ("ticket", "at", "state"):
        if needed not in model.columns:
            raise doc.error(("columns",), f"map a column to {needed}")
    try:
        zone = ZoneInfo(model.timezone) if model.timezone is not None else None
    except (ZoneInfoNotFoundError, ValueError):
        raise doc.error(("timezone",), f"unknown time zone {model.timezone!r}") from None
    try:
        checked_encoding(model.encoding)
    except DefinitionError as exc:
        raise doc.error(("encoding",), exc.message) from None
    return Mapping(model, zone)


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str
    row: dict[str, str]


def read_rows(
    path: Path, mapping: Mapping, encoding: str | None = None
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """Every row as event fields (with its line), and the rows that cannot be read, with why.
    Rows the mapping says to skip are left out silently. ``encoding`` overrides the mapping's."""
    with csv_lines(path, encoding or mapping.model.encoding) as lines:
        header, rows = dict_rows(lines, str(path))
        columns = [c for c in _columns(mapping, REQUIRED) if c not in set(header)]
        if columns:
            raise DefinitionError(str(path), f"missing column(s): {', '.join(columns)}", 1)
        return _map(rows, mapping)


def map_records(
    records: list[dict[str, Any]], mapping: Mapping
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """JSON records (e.g. posted by a source system's webhook) as event fields, the same way
    as rows of an export: keys are the mapping's column names; nested objects are read with
    dotted names (``fields.status.name``). Each event carries its record's 1-based position in
    the list as ``line``."""
    return _map(((i, flatten(r)) for i, r in enumerate(records, start=1)), mapping)


def _map(
    rows: Iterable[tuple[int, dict[str, str]]], mapping: Mapping
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """Numbered rows as event fields (with their number as ``line``), and those that cannot
    be read, with why; rows the mapping says to skip are left out silently."""
    events: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for line, row in rows:
        try:
            fields = _fields(row, mapping)
        except ValueError as exc:
            rejected.append(Rejected(line, str(exc), row))
            continue
        if fields is not None:
            events.append({**fields, "line": line})
    return events, rejected


def flatten(record: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"fields": {"status": {"name": "Done"}}}`` → ``{"fields.status.name": "Done"}``;
    values become text (``None`` empty)."""
    out: dict[str, str] = {}
    for key, value in record.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{name}."))
        else:
            out[name] = "" if value is None else str(value)
    return out


def _columns(mapping: Mapping, fields: tuple[str, ...]) -> Iterator[str]:
    for name, value in mapping.model.columns.items():
        if name in fields:
            yield from ([value] if isinstance(value, str) else value)


def _fields(row: dict[str, str], mapping: Mapping) -> dict[str, Any] | None:
    m = mapping.model
    out: dict[str, Any] = dict(m.constants)
    for name, column in m.columns.items():
        raw = (
            row.get(column) or ""
            if isinstance(column, str)
            else "|".join(row.get(c) or "" for c in column)
        )
        value = (raw or "").strip()
        if value in m.missing:
            value = ""
        value = m.values.get(name, {}).get(value, value)
        if value or name not in out:
            out[name] = value
    for name, values in m.skip.items():
        if out.get(name, "") in values:
            return None
    if not out.get("ticket"):
        raise ValueError("no ticket number")
    if not out.get("state"):
        raise ValueError("no state")
    out["at"] = _instant(out.get("at", ""), mapping)
    return out


def _instant(text: str, mapping: Mapping) -> dt.datetime:
    if not text:
        raise ValueError("no instant")
    fmt = mapping.model.at_format
    try:
        value = dt.datetime.strptime(text, fmt) if fmt else dt.datetime.fromisoformat(text)  # noqa: DTZ007
    except ValueError:
        raise ValueError(f"cannot read the instant {text!r}") from None
    if value.tzinfo is not None:
        return value
    if mapping.zone is None:
        raise ValueError(
            f"the instant {text!r} has no time zone: write it with its offset (+08:00, Z) "
            "or declare the export's zone with timezone: in the mapping"
        )
    return value.replace(tzinfo=mapping.zone)
