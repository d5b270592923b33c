"""PostgreSQL's COPY, built and parsed by NumPy: columns into a temporary table in one binary
COPY (:func:`copy_in`), a query's rows out as integer columns (:func:`copy_out`) or as strings
(:func:`copy_out_strings`), and the SQL that reads the loaded columns back as their values
(:func:`decoded`).

A binary COPY stream of fixed-width fields without NULLs has the same layout on every row, so a
whole stream is one structured array; reading it straight from libpq costs a few times less
than psycopg's copy loop. PostgreSQL only: :mod:`bulk` chooses it, the generic path is SQLite's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg import pq
from sqlalchemy import Select, text
from sqlalchemy.orm import Session

from servicelevel.db.repositories.bulk_columns import MISSING, Coded, Columns, Ints

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
