"""Logical backup and restore: every table as JSON lines, portable between SQLite and PostgreSQL.

A backup is a gzip file: a header line (format, schema revision, tables) and then one line per
row, tables in dependency order. A restore goes into an empty database migrated to the same
revision, in one transaction: it either loads everything or nothing.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import Connection, Date, Engine, Table, func, select, text

import servicelevel.db.models  # noqa: F401  (registers every table)
from servicelevel.db.base import Base
from servicelevel.db.types import UtcDateTime

FORMAT = "servicelevel-backup/1"


class BackupError(ValueError):
    """A backup that cannot be written or restored, with the reason."""


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value  # datetimes too


def _rows(conn: Connection) -> Iterator[dict[str, Any]]:
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns)
        for row in conn.execute(select(table).order_by(*order)).mappings():
            yield {"t": table.name, "r": {k: _encode(v) for k, v in row.items()}}


def backup(engine: Engine, path: Path) -> dict[str, int]:
    """Write every row to ``path``; returns the row count per table."""
    counts = {t.name: 0 for t in Base.metadata.sorted_tables}
    with engine.connect() as conn, gzip.open(path, "wt", encoding="utf-8") as out:
        header = {
            "format": FORMAT,
            "revision": _revision(conn),
            "tables": [t.name for t in Base.metadata.sorted_tables],
        }
        out.write(json.dumps(header) + "\n")
        for item in _rows(conn):
            counts[item["t"]] += 1
            out.write(json.dumps(item, ensure_ascii=False) + "\n")
    return counts


def header_of(path: Path) -> dict[str, Any]:
    """The first line of a backup: format, schema revision and tables."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header: dict[str, Any] = json.loads(handle.readline())
    except (OSError, json.JSONDecodeError, EOFError) as exc:
        raise BackupError(f"{path}: not a readable servicelevel backup ({exc})") from None
    if header.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {header.get('format')!r}")
    return header


def restore(engine: Engine, path: Path) -> dict[str, int]:
    """Load a backup into an empty database at the backup's schema revision."""
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            header = json.loads(handle.readline())
            with engine.begin() as conn:
                _check_target(conn, header)
                counts = _load(conn, handle)
                _reset_sequences(conn)
    except (OSError, json.JSONDecodeError, KeyError, EOFError) as exc:
        raise BackupError(f"{path}: not a readable servicelevel backup ({exc})") from None
    return counts


def _check_target(conn: Connection, header: dict[str, Any]) -> None:
    if header.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {header.get('format')!r}")
    if _revision(conn) != header["revision"]:
        raise BackupError(
            f"the database is at schema {_revision(conn)!r} but the backup at "
            f"{header['revision']!r}: migrate an empty database to that revision first"
        )
    for table in Base.metadata.sorted_tables:
        if conn.scalar(select(func.count()).select_from(table)):
            raise BackupError(f"the database is not empty (table {table.name} has rows)")


def _load(conn: Connection, lines: Any, batch: int = 1000) -> dict[str, int]:
    """Insert rows in batches; a batch never mixes tables, so dependency order holds."""
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    counts = dict.fromkeys(tables, 0)
    pending: list[dict[str, Any]] = []
    later: list[tuple[Table, Any, dict[str, Any]]] = []
    current: Table | None = None
    for line in lines:
        item = json.loads(line)
        table = tables[item["t"]]
        if table is not current or len(pending) >= batch:
            _flush(conn, current, pending)
            current = table
        row = _decode(table, item["r"])
        for column in _self_references(table):
            if row.get(column) is not None:
                kept = {c.name: row[c.name] for c in table.columns if c.onupdate is not None}
                later.append((table, row["id"], {column: row[column], **kept}))
                row[column] = None
        pending.append(row)
        counts[table.name] += 1
    _flush(conn, current, pending)
    for table, row_id, values in later:  # as stored: no "updated at" refreshed on the way
        conn.execute(table.update().where(table.c.id == row_id).values(values))
    return counts


def _decode(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    return {k: _decoded(table.c[k].type, v) for k, v in row.items()}


def _decoded(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(kind, UtcDateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return dt.date.fromisoformat(value)
    return value


def _self_references(table: Table) -> list[str]:
    """Columns pointing at their own table (a renewed agreement points at its successor, which
    may come later): loaded empty first, filled in once every row is there."""
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _flush(conn: Connection, table: Table | None, rows: list[dict[str, Any]]) -> None:
    if table is not None and rows:
        conn.execute(table.insert(), rows)
    rows.clear()


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL's id sequences must continue after the restored ids."""
    if conn.dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" in table.c:
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
                )
            )
