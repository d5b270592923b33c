"""Bulk reads and writes of many rows, each database its own way.

PostgreSQL moves them with COPY in its binary format, built and parsed by NumPy: a column of a
million integers is one array, never a million Python objects. Strings travel as small integer
codes into a vocabulary (:class:`Coded`), instants as integers. Writes land in a temporary table
and reach their table in one set-based statement. SQLite (one writer, in process) takes plain
tuples of ints, strings and ``None`` through an executemany — the generic path, which is also
the reference the PostgreSQL path is tested against."""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from numpy.typing import NDArray
from psycopg import pq
from sqlalchemy import Select, Table, insert, select, text
from sqlalchemy.orm import Session

from servicelevel.engine.clocks import NONE

Row = tuple[Any, ...]
Ints = NDArray[np.int64]
MISSING = NONE  # an instant column's value for NULL: the engine's "no such instant"


@dataclass(frozen=True)
class Coded:
    """A column of strings as codes into ``values``."""

    codes: Ints
    values: tuple[str, ...]

    def strings(self) -> list[str]:
        return np.array(self.values or ("",), dtype=object)[self.codes].tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Columns:
    """Rows as columns: integer arrays, :class:`Coded` strings, and ``instants`` columns of
    epoch seconds where :data:`MISSING` stands for NULL."""

    data: Mapping[str, Ints | Coded]
    instants: frozenset[str] = frozenset()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.data)

    def __len__(self) -> int:
        first = next(iter(self.data.values()), None)
        if first is None:
            return 0
        return int((first.codes if isinstance(first, Coded) else first).size)

    def rows(self) -> Iterator[Row]:
        """The rows as tuples (instants as epoch seconds or ``None``), for the generic path."""
        lists: list[list[Any]] = []
        for name, column in self.data.items():
            if isinstance(column, Coded):
                lists.append(column.strings())
            elif name in self.instants:
                lists.append([None if v == MISSING else v for v in column.tolist()])
            else:
                lists.append(column.tolist())
        return zip(*lists, strict=True)


def is_postgresql(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def empty(
    names: Sequence[str], coded: Collection[str] = (), instants: frozenset[str] = frozenset()
) -> Columns:
    """No rows of columns ``names`` (those in ``coded`` strings): what a writer is given when
    nothing was measured, so that it still knows the columns it writes."""
    none = np.zeros(0, dtype=np.int64)
    data: dict[str, Ints | Coded] = {n: Coded(none, ()) if n in coded else none for n in names}
    return Columns(data, instants)


def concat(parts: Sequence[Columns]) -> Columns:
    """Columns one after another (the vocabularies of coded columns merged)."""
    if not parts:
        return Columns({})
    out: dict[str, Ints | Coded] = {}
    for name, first in parts[0].data.items():
        if isinstance(first, Coded):
            vocab: dict[str, int] = {}
            codes = []
            for p in parts:
                c = p.data[name]
                assert isinstance(c, Coded)
                table = np.array([vocab.setdefault(v, len(vocab)) for v in c.values] or [0])
                codes.append(table[c.codes])
            out[name] = Coded(np.concatenate(codes).astype(np.int64), tuple(vocab))
        else:
            out[name] = np.concatenate([np.asarray(p.data[name]) for p in parts]).astype(np.int64)
    return Columns(out, parts[0].instants)


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


# PostgreSQL's binary COPY: a header, then per row a field count and per field its length and
# big-endian bytes, then a trailer. With fixed-width fields and no NULLs every row has the same
# layout, so NumPy reads or writes a whole stream as one structured array.
HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
TRAILER = b"\xff\xff"
BINARY = {"int8": ">i8", "int4": ">i4", "int2": ">i2", "timestamptz": ">i8"}
EPOCH_2000 = 946_684_800  # PostgreSQL counts instants in microseconds since 2000-01-01 UTC
ESCAPE = re.compile(r"\\(.)", re.DOTALL)
ESCAPES = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v"}


def _layout(kinds: Sequence[str]) -> np.dtype[Any]:
    fields: list[tuple[str, str]] = [("n", ">i2")]
    for i, kind in enumerate(kinds):
        fields += [(f"l{i}", ">i4"), (f"v{i}", BINARY[kind])]
    return np.dtype(fields)


def _compiled(session: Session, statement: Select[*tuple[Any, ...]]) -> tuple[str, dict[str, Any]]:
    compiled = statement.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    return str(compiled), dict(compiled.params)


def _copy_out(session: Session, sql: str, params: dict[str, Any], form: str) -> bytearray:
    """The bytes of ``COPY (sql) TO STDOUT``, read straight from libpq: the server sends a
    message per row, and psycopg's :meth:`Copy.read` costs microseconds of Python each (half
    a minute for six million rows); one loop over ``PQgetCopyData`` is a few times cheaper.
    Parameters are bound client side (COPY takes none) on the session's connection, so the
    copy sees the transaction's own rows."""
    raw = session.connection().connection.driver_connection
    assert isinstance(raw, psycopg.Connection)
    query = psycopg.ClientCursor(raw).mogrify(f"COPY ({sql}) TO STDOUT {form}", params)
    data = bytearray()
    with raw.lock:
        pgconn = raw.pgconn
        pgconn.send_query(query.encode(raw.info.encoding))
        result = pgconn.get_result()
        if result is not None and result.status == pq.ExecStatus.COPY_OUT:
            get = pgconn.get_copy_data
            while True:
                size, chunk = get(0)
                if size < 0:
                    break
                data += chunk
            result = pgconn.get_result()
        while pgconn.get_result() is not None:  # the command's end
            pass
    if result is None or result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)  # type: ignore[arg-type]
    return data


def copy_out(
    session: Session, statement: Select[*tuple[Any, ...]], kinds: Sequence[str]
) -> list[Ints]:
    """The rows of ``statement`` as columns, by a binary COPY parsed in one NumPy call
    (PostgreSQL only). Every selected value must be non-NULL and of the matching kind —
    ``int8``, ``int4``, ``int2`` or ``timestamptz`` (returned as floored epoch seconds)."""
    data = _copy_out(session, *_compiled(session, statement), "(FORMAT BINARY)")
    layout = _layout(kinds)
    if data[: len(HEADER)] != HEADER or data[-2:] != TRAILER:
        raise ValueError("not a binary COPY stream of the expected version")
    body = memoryview(data)[len(HEADER) : -len(TRAILER)]
    if len(body) % layout.itemsize:
        raise ValueError("a NULL or a value of another type in a binary COPY")
    rows = np.frombuffer(body, layout)
    widths = [layout[f"v{i}"].itemsize for i in range(len(kinds))]
    if (rows["n"] != len(kinds)).any() or any(
        (rows[f"l{i}"] != w).any() for i, w in enumerate(widths)
    ):
        raise ValueError("a NULL or a value of another type in a binary COPY")
    out = []
    for i, kind in enumerate(kinds):
        column = rows[f"v{i}"].astype(np.int64)
        if kind == "timestamptz":
            column = column // 1_000_000 + EPOCH_2000
        out.append(column)
    return out


def copy_out_strings(session: Session, statement: Select[*tuple[Any, ...]]) -> list[str]:
    """The one text column of ``statement`` (no NULLs) by a text COPY (PostgreSQL only)."""
    data = _copy_out(session, *_compiled(session, statement), "")
    raw = session.connection().connection.driver_connection
    assert raw is not None
    whole = data.decode(raw.info.encoding)
    lines = whole.split("\n")
    lines.pop()  # after the last row's newline
    if "\\" in whole:
        lines = [_unescape(line) for line in lines]
    return lines


def _unescape(line: str) -> str:
    if line == "\\N":
        raise ValueError("a NULL in a column read as strings")
    return ESCAPE.sub(lambda m: ESCAPES.get(m.group(1), m.group(1)), line)


def copy_in(session: Session, name: str, columns: Columns) -> None:
    """A temporary table ``name`` (dropped at commit) holding ``columns`` as bigint — codes
    of :class:`Coded` columns as integers — filled by one binary COPY built by NumPy
    (PostgreSQL only)."""
    kinds = ", ".join(f"{c} bigint" for c in columns.names)
    session.execute(text(f"DROP TABLE IF EXISTS {name}"))
    session.execute(text(f"CREATE TEMP TABLE {name} ({kinds}) ON COMMIT DROP"))
    rows = np.empty(len(columns), _layout(["int8"] * len(columns.names)))
    rows["n"] = len(columns.names)
    for i, column in enumerate(columns.data.values()):
        rows[f"l{i}"] = 8
        rows[f"v{i}"] = column.codes if isinstance(column, Coded) else column
    raw = session.connection().connection.driver_connection
    assert raw is not None
    body = rows.tobytes()
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {name} ({', '.join(columns.names)}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        copy.write(HEADER)
        step = 1 << 22
        for start in range(0, len(body), step):
            copy.write(body[start : start + step])
        copy.write(TRAILER)
    session.execute(text(f"ANALYZE {name}"))


def decoded(columns: Columns, alias: str) -> tuple[dict[str, str], dict[str, Any]]:
    """SQL expressions giving each column's value from the table :func:`copy_in` filled
    (aliased ``alias``) — strings looked up in their vocabulary, instants converted, NULL for
    :data:`MISSING` — and the parameters they use."""
    exprs: dict[str, str] = {}
    params: dict[str, Any] = {}
    for name, column in columns.data.items():
        ref = f"{alias}.{name}"
        if isinstance(column, Coded):
            params[f"vocab_{name}"] = list(column.values)
            exprs[name] = f"(CAST(:vocab_{name} AS text[]))[{ref} + 1]"
        elif name in columns.instants:
            exprs[name] = f"to_timestamp(NULLIF({ref}, {MISSING}))"
        else:
            exprs[name] = ref
    return exprs, params
