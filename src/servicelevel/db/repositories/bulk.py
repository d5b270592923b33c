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

from sqlalchemy import Select, Table, insert, text
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
    load = f"load_{table.name}"
    kinds = ", ".join(
        f"{c} bigint"
        if c in instants
        else f"{c} {table.c[c].type.compile(session.get_bind().dialect)}"
        for c in columns
    )
    session.execute(text(f"CREATE TEMP TABLE IF NOT EXISTS {load} ({kinds}) ON COMMIT DROP"))
    session.execute(text(f"TRUNCATE {load}"))
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {load} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    picked = [f"to_timestamp({c})" if c in instants else c for c in columns]
    names = [*columns, *fixed]
    values = [*picked, *(f":{k}" for k in fixed)]
    session.execute(
        text(
            f"INSERT INTO {table.name} ({', '.join(names)}) SELECT {', '.join(values)} FROM {load}"
        ),
        fixed,
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
