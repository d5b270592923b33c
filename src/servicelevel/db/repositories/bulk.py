"""Bulk inserts of many rows, each database its own way: PostgreSQL streams them with COPY
into a temporary table and converts epoch seconds to instants in one INSERT … SELECT; SQLite
(one writer, in process) takes an executemany. Rows are plain tuples of ints, strings and
``None`` — no ORM objects, no datetime objects per value — so a recomputation can write a
million measurements in seconds."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, Table, insert, select, text
from sqlalchemy.orm import Session

Row = tuple[Any, ...]


def insert_rows(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    instants: Sequence[str] = (),
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (values for ``columns``); the ``instants`` columns hold epoch seconds
    (or ``None``); ``constants`` are the same for every row."""
    fixed = constants or {}
    if session.get_bind().dialect.name == "postgresql":
        _copy(session, table, columns, rows, instants, fixed)
        return

    def instant(value: Any) -> Any:
        return None if value is None else dt.datetime.fromtimestamp(value, dt.UTC)

    where = [i for i, c in enumerate(columns) if c in instants]
    batch: list[dict[str, Any]] = []
    for row in rows:
        values = list(row)
        for i in where:
            values[i] = instant(values[i])
        batch.append({**fixed, **dict(zip(columns, values, strict=True))})
        if len(batch) == 5000:
            session.execute(insert(table), batch)
            batch = []
    if batch:
        session.execute(insert(table), batch)


def _copy(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Row],
    instants: Sequence[str],
    fixed: dict[str, Any],
) -> None:
    load = _load(session, table, columns, rows, instants)
    session.execute(text(_insert_select(table, load, columns, instants, fixed)), fixed)


def _load(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Row],
    instants: Sequence[str],
) -> str:
    """COPY ``rows`` into a temporary table (instants as bigint); returns its name."""
    load = f"load_{table.name}"
    dialect = session.get_bind().dialect
    kinds = ", ".join(
        f"{c} bigint" if c in instants else f"{c} {table.c[c].type.compile(dialect)}"
        for c in columns
    )
    session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {load} ({kinds}) ON COMMIT DROP"))
    session.execute(text(f"TRUNCATE {load}"))
    raw = session.connection().connection.driver_connection
    assert raw is not None
    names = ", ".join(columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {load} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    session.execute(text(f"ANALYZE {load}"))
    return load


def _insert_select(
    table: Table, load: str, columns: Sequence[str], instants: Sequence[str], fixed: dict[str, Any]
) -> str:
    picked = [f"to_timestamp({c})" if c in instants else c for c in columns]
    names = [*columns, *fixed]
    values = [*picked, *(f":{k}" for k in fixed)]
    return (
        f"INSERT INTO {table.name} AS t ({', '.join(names)}) SELECT {', '.join(values)} FROM {load}"
    )


def replace_rows(
    session: Session,
    table: Table,
    scope: tuple[str, Any],
    keys: Sequence[str],
    columns: Sequence[str],
    rows: Iterable[Row],
    *,
    instants: Sequence[str] = (),
    stamp: tuple[str, Any] | None = None,
) -> None:
    """Make the rows of ``table`` whose ``scope`` column has the scope's value exactly
    ``rows``. PostgreSQL writes only the difference — rows gone are deleted, new ones inserted,
    changed ones updated (with ``stamp``), unchanged ones left alone — so recomputing a million
    measurements where a few changed writes a few; SQLite deletes and inserts them all."""
    column, value = scope
    constants = {column: value, **dict([stamp] if stamp else [])}
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.delete().where(table.c[column] == value))
        insert_rows(session, table, columns, rows, instants=instants, constants=constants)
        return
    present = select(table.c[column]).where(table.c[column] == value).limit(1)
    if session.execute(present).first() is None:  # the first computation: nothing to compare
        insert_rows(session, table, columns, rows, instants=instants, constants=constants)
        return
    load = _load(session, table, columns, rows, instants)
    match = " AND ".join(f"l.{k} = t.{k}" for k in keys)
    session.execute(
        text(
            f"DELETE FROM {table.name} t WHERE t.{column} = :scope "
            f"AND NOT EXISTS (SELECT 1 FROM {load} l WHERE {match})"
        ),
        {"scope": value},
    )
    values = [k for k in columns if k not in keys]
    changed = ", ".join(f"{c} = EXCLUDED.{c}" for c in [*values, *(stamp[:1] if stamp else ())])
    old = ", ".join(f"t.{c}" for c in values)
    new = ", ".join(f"EXCLUDED.{c}" for c in values)
    differs = f"({old}) IS DISTINCT FROM ({new})"
    session.execute(
        text(
            f"{_insert_select(table, load, columns, instants, constants)} "
            f"ON CONFLICT ({column}, {', '.join(keys)}) DO UPDATE SET {changed} WHERE {differs}"
        ),
        constants,
    )


def read_columns(
    session: Session, statement: Select[*tuple[Any, ...]], width: int
) -> list[list[Any]]:
    """The rows of ``statement`` as ``width`` columns. On PostgreSQL the driver's cursor
    fetches them without SQLAlchemy's row objects; the cyclic garbage collector is paused while
    millions of small objects are built (it would otherwise rescan them again and again)."""
    with paused_gc():
        if session.get_bind().dialect.name != "postgresql":
            rows: Sequence[Any] = session.connection().execute(statement).all()
        else:
            compiled = statement.compile(
                dialect=session.get_bind().dialect,
                compile_kwargs={"render_postcompile": True},
            )
            raw = session.connection().connection.driver_connection
            assert raw is not None
            with raw.cursor() as cursor:
                cursor.execute(str(compiled), compiled.params)
                rows = cursor.fetchall()
        if not rows:
            return [[] for _ in range(width)]
        return [list(c) for c in zip(*rows, strict=True)]


@contextmanager
def paused_gc() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
