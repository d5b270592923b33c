"""Mapping files: how the columns of a ticket export become ticket events.

A mapping names the column for each event field (or several, joined, for an event key), the
time format and zone of the instants, values that mean "missing", value translations (e.g.
``1 - Critical`` → ``P1``), constants (the service the tickets are for), lookup tables (a
customer, service or team read from any column), rows to skip, the order of a ticket's events
(file, a sequence column, or time), the instant its clock may start (``opened``) and what to
do with rows given twice. Every column it does not map is kept as an attribute of the event,
so nothing the source says is lost. A ticket's rows are put together by
:mod:`servicelevel.definitions.ticket_rows`.
Shipped mappings: ``servicenow``, ``jira``, ``generic``, ``zammad``, ``rt``
(``servicelevel/mappings/``);
stored ones are kept in the database (``services.intake.mappings``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field

from servicelevel.definitions.csvfiles import (
    DEFAULT_ENCODING,
    checked_encoding,
    csv_lines,
    dict_rows,
)
from servicelevel.definitions.source import DefinitionError, Located, parse_yaml, read_yaml
from servicelevel.definitions.ticket_rows import arrange

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
    "team",
    "sequence",
    "opened",
)
SHIPPED = ("servicenow", "jira", "generic", "zammad", "rt")
REQUIRED = ("ticket", "at", "state")  # other columns may be absent from a file: empty
LOOKUPS = ("customer", "service", "team")
NOT_EVENT_FIELDS = ("team", "sequence", "opened")  # read, then used to arrange the rows


class LookupModel(BaseModel):
    """A field read from a column through a table: ``{from: location, values: {"Location 143":
    contoso}}``. A value not in the table is an error naming it (with its line), unless
    ``default`` gives a code for every other value or ``unknown: keep`` takes the value as the
    code itself."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: str = Field(alias="from")
    values: dict[str, str] = {}
    default: str | None = None
    unknown: Literal["error", "keep"] = "error"


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
    lookup: dict[str, LookupModel] = {}
    # a ticket's events in the order of the file, of the sequence column, or of time
    order: Literal["time", "file", "sequence"] = "time"
    attributes: Literal["all", "none"] | list[str] = "all"  # unmapped columns kept
    duplicates: Literal["reject", "report"] = "reject"  # a row given twice, word for word


@dataclass(frozen=True)
class Mapping:
    model: MappingModel
    zone: ZoneInfo | None


def load_mapping(name_or_path: str) -> Mapping:
    """A shipped mapping by name (``servicenow``) or a mapping file."""
    if name_or_path in SHIPPED:
        return parse_mapping(shipped_text(name_or_path), f"{name_or_path}.yaml")
    return _checked(read_yaml(Path(name_or_path)))


def shipped_text(name: str) -> str:
    """The YAML of a shipped mapping (``servicenow``)."""
    return resources.files("servicelevel.mappings").joinpath(f"{name}.yaml").read_text("utf-8")


def parse_mapping(text: str, source: str) -> Mapping:
    """A mapping from its YAML text (a stored mapping, a document posted to the API), read
    with the same bounds and checks as a file; ``source`` names it in errors."""
    return _checked(parse_yaml(text, source))


def _checked(doc: Located) -> Mapping:
    model = doc.validate(MappingModel)
    for name in sorted(set(model.columns) | set(model.constants)):
        if name not in FIELDS:
            raise doc.error(
                ("columns", name), f"unknown field {name!r}; fields: {', '.join(FIELDS)}"
            )
    for needed in ("ticket", "at", "state"):
        if needed not in model.columns:
            raise doc.error(("columns",), f"map a column to {needed}")
    for name in model.lookup:
        if name not in LOOKUPS:
            raise doc.error(("lookup", name), f"a lookup reads one of {', '.join(LOOKUPS)}")
    if model.order == "sequence" and "sequence" not in model.columns:
        raise doc.error(("order",), "order: sequence needs a column mapped to sequence")
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
    fatal: bool = True  # false: a duplicate the mapping says to report and store once


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
    the list as ``line``. A payload carries the whole object (a Jira issue has hundreds of
    fields), so only the attributes the mapping lists are kept."""
    return _map(((i, flatten(r)) for i, r in enumerate(records, start=1)), mapping, extra=False)


def _map(
    rows: Iterable[tuple[int, dict[str, str]]], mapping: Mapping, *, extra: bool = True
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """Numbered rows as event fields (with their number as ``line``), and those that cannot
    be read, with why; rows the mapping says to skip are left out silently. ``extra``: keep
    the unmapped columns as attributes as the mapping says (else only those it lists)."""
    events: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    seen: dict[tuple[tuple[str, str], ...], int] = {}
    raw: dict[int, dict[str, str]] = {}
    for line, row in rows:
        same = seen.setdefault(tuple(row.items()), line)
        if same != line:
            fatal = mapping.model.duplicates == "reject"
            rejected.append(Rejected(line, f"the same row as line {same}", row, fatal))
            continue
        try:
            fields = _fields(row, mapping, extra)
        except ValueError as exc:
            rejected.append(Rejected(line, str(exc), row))
            continue
        if fields is not None:
            raw[line] = row
            events.append({**fields, "line": line})
    placed, problems = arrange(events, mapping.model.order)
    rejected += [Rejected(p.line, p.reason, raw[p.line]) for p in problems]
    rejected.sort(key=lambda r: r.line)
    return placed, rejected


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


def _fields(row: dict[str, str], mapping: Mapping, extra: bool) -> dict[str, Any] | None:
    m = mapping.model
    out: dict[str, Any] = dict(m.constants)
    for name, column in m.columns.items():
        raw = (
            row.get(column) or ""
            if isinstance(column, str)
            else "|".join(row.get(c) or "" for c in column)
        )
        value = _present(raw, m)
        value = m.values.get(name, {}).get(value, value)
        if value or name not in out:
            out[name] = value
    for name, table in m.lookup.items():
        found = _looked_up(row, name, table, m)
        if found or name not in out:
            out[name] = found
    for name, values in m.skip.items():
        if out.get(name, "") in values:
            return None
    if not out.get("ticket"):
        raise ValueError("no ticket number")
    out["at"] = _instant(out.get("at", ""), mapping)
    out["opened"] = _instant(out["opened"], mapping) if out.get("opened") else None
    if m.order == "sequence":
        out["sequence"] = _number(out.get("sequence", ""))
    attributes = _attributes(row, mapping, extra)
    if out.get("team"):
        attributes["team"] = out["team"]
    out.pop("team", None)
    out["attributes"] = attributes
    return out


def _present(raw: str, m: MappingModel) -> str:
    """A cell's value; a value the mapping calls missing is blank."""
    value = (raw or "").strip()
    return "" if value in m.missing else value


def _looked_up(row: dict[str, str], name: str, table: LookupModel, m: MappingModel) -> str:
    value = _present(row.get(table.from_) or "", m)
    if not value:
        return ""
    if value in table.values:
        return table.values[value]
    if table.default is not None:
        return table.default
    if table.unknown == "keep":
        return value
    raise ValueError(
        f"unknown {name} {value!r} in column {table.from_}: add it to lookup.{name}.values "
        "in the mapping (or set its default, or unknown: keep)"
    )


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"the sequence {text!r} is not a number") from None


def _attributes(row: dict[str, str], mapping: Mapping, extra: bool) -> dict[str, str]:
    """The columns no field uses (or those the mapping lists), with a value."""
    m = mapping.model
    if isinstance(m.attributes, list):
        names = m.attributes
    elif m.attributes == "all" and extra:
        used = set(_columns(mapping, FIELDS)) | {t.from_ for t in m.lookup.values()}
        names = [c for c in row if c and c not in used]
    else:
        return {}
    found = {n: _present(row.get(n) or "", m) for n in names}
    return {n: v for n, v in found.items() if v}


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
