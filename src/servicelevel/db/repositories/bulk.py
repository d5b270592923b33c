"""Bulk reads and writes of many rows, each database its own way.

PostgreSQL moves them with COPY in its binary format, built and parsed by NumPy
(:mod:`bulk_copy`): a column of a million integers is one array, never a million Python
objects (:mod:`bulk_columns`). Writes land in a temporary table and reach their table in one
set-based statement. SQLite (one writer, in process) takes plain tuples of ints, strings and
``None`` through an executemany — the generic path, which is also the reference the PostgreSQL
path is tested against."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Select, Table, insert, select, text
from sqlalchemy.orm import Session

from servicelevel.db.repositories.bulk_columns import Columns, Row
from servicelevel.db.repositories.bulk_copy import copy_in, decoded


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def insert_rows(
    session: Session,
    table: Table,
    columns: Columns,
    *,
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert the rows of ``columns``; ``constants`` are the same for every row. PostgreSQL:
    one binary COPY into a temporary table, then one INSERT … SELECT."""
    fixed = constants or {}
    if not is_postgresql(session):
        insert_generic(session, table, columns.names, columns.rows(), columns.instants, fixed)
        return
    load = f"load_{table.name}"
    copy_in(session, load, columns)
    exprs, params = decoded(columns, "l")
    session.execute(text(_insert_select(table, load, exprs, fixed)), {**params, **fixed})


def insert_generic(
    session: Session,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Row],
    instants: Collection[str] = (),
    constants: dict[str, Any] | None = None,
) -> None:
    """Insert ``rows`` (values for ``columns``; the ``instants`` columns hold epoch seconds
    or ``None``) by executemany: any database, the reference for the COPY path."""
    fixed = constants or {}

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


def _insert_select(table: Table, load: str, exprs: dict[str, str], fixed: dict[str, Any]) -> str:
    names = [*exprs, *fixed]
    values = [*exprs.values(), *(f":{k}" for k in fixed)]
    return (
        f"INSERT INTO {table.name} AS t ({', '.join(names)}) SELECT {', '.join(values)} "
        f"FROM {load} l"
    )


def replace_rows(
    session: Session,
    table: Table,
    scope: tuple[str, Any],
    keys: Sequence[str],
    columns: Columns,
    *,
    stamp: tuple[str, Any] | None = None,
) -> None:
    """Make the rows of ``table`` whose ``scope`` column has the scope's value exactly the
    rows of ``columns``. PostgreSQL writes only the difference — rows gone are deleted, new
    ones inserted, changed ones updated (with ``stamp``), unchanged ones not even locked — so
    recomputing a million measurements where a few changed writes a few; the generic path
    (SQLite) deletes and inserts them all."""
    column, value = scope
    constants = {column: value, **dict([stamp] if stamp else [])}
    if not is_postgresql(session):
        session.execute(table.delete().where(table.c[column] == value))
        insert_rows(session, table, columns, constants=constants)
        return
    present = select(table.c[column]).where(table.c[column] == value).limit(1)
    if session.execute(present).first() is None:  # the first computation: nothing to compare
        insert_rows(session, table, columns, constants=constants)
        return
    load = f"load_{table.name}"
    copy_in(session, load, columns)
    session.execute(
        text(_difference(table.name, load, column, keys, columns, stamp)),
        {
            **decoded(columns, "l")[1],
            **constants,
        },
    )


def _difference(
    name: str,
    load: str,
    column: str,
    keys: Sequence[str],
    columns: Columns,
    stamp: tuple[str, Any] | None,
) -> str:
    """One statement writing the difference: a single full join of the rows loaded with the
    rows stored finds those gone, changed and new (three joins took three times as long), and
    only they are written — an INSERT … ON CONFLICT over every row would lock each unchanged
    row too. New rows still go through ON CONFLICT, as a concurrent writer may add them."""
    fresh, _ = decoded(columns, "l")
    then, _ = decoded(columns, "d")
    values = [k for k in columns.names if k not in keys]
    stamped = [*values, *(stamp[:1] if stamp else ())]
    match = " AND ".join(f"{fresh[k]} = t.{k}" for k in keys)
    old = ", ".join(f"t.{c}" for c in values)
    new = ", ".join(fresh[c] for c in values)
    marker = keys[-1]
    sets = ", ".join(f"{c} = {then.get(c, f':{c}')}" for c in stamped)
    names = [*columns.names, column, *(stamp[:1] if stamp else ())]
    picked = [
        *(then[c] for c in columns.names),
        f":{column}",
        *([f":{stamp[0]}"] if stamp else []),
    ]
    return (
        f"WITH cur AS (SELECT * FROM {name} WHERE {column} = :{column}), "
        f"d AS MATERIALIZED (SELECT t.id AS old_id, l.{marker} IS NULL AS gone, l.* "
        f"FROM {load} l FULL JOIN cur t ON {match} "
        f"WHERE t.id IS NULL OR l.{marker} IS NULL OR ({old}) IS DISTINCT FROM ({new})), "
        f"gone AS (DELETE FROM {name} m USING d WHERE m.id = d.old_id AND d.gone), "
        f"changed AS (UPDATE {name} m SET {sets} FROM d "
        f"WHERE m.id = d.old_id AND NOT d.gone) "
        f"INSERT INTO {name} AS t ({', '.join(names)}) SELECT {', '.join(picked)} "
        f"FROM d WHERE d.old_id IS NULL "
        f"ON CONFLICT ({column}, {', '.join(keys)}) DO UPDATE SET "
        + ", ".join(f"{c} = EXCLUDED.{c}" for c in stamped)
        + f" WHERE ({old}) IS DISTINCT FROM ("
        + ", ".join(f"EXCLUDED.{c}" for c in values)
        + ")"
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
