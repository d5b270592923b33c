"""The one way CSV is opened: plain or gzip, in a declared encoding, bounded, and every failure
a :class:`DefinitionError` naming the file and the line.

- Lines are read in bytes and at most :data:`MAX_LINE_BYTES` at a time, so a file holding one
  huge line (a 200 MB line in a gzip) fails at the limit instead of filling memory.
- Each line is decoded on its own, so a file in another encoding is reported with its line
  and byte: ``line 3: not utf-8 text (byte 0xb9 at column 7); give the file's encoding``.
  Encodings must keep ASCII as it is (UTF-8, GBK, GB18030, Big5, Latin-1…), as CSV does.
- A UTF-8 byte order mark is dropped, whatever the declared encoding.
- A damaged gzip, or a CSV the csv module refuses (a field over its limit), says so.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from servicelevel.definitions.source import DefinitionError

MAX_LINE_BYTES = 1 << 20
Row = dict[str, str]  # missing cells are empty; cells past the header are dropped
DEFAULT_ENCODING = "utf-8"


def checked_encoding(name: str, source: str = "encoding") -> str:
    """``name`` as Python's codec name; an unknown one, or one that does not keep ASCII as it
    is (UTF-16), is a :class:`DefinitionError`."""
    try:
        info = codecs.lookup(name.strip() or DEFAULT_ENCODING)
    except LookupError:
        raise DefinitionError(
            source, f"unknown encoding {name!r} (e.g. utf-8, gbk, big5)"
        ) from None
    if b"a,\n".decode(info.name, "replace") != "a,\n" or info.name.startswith("utf-16"):
        raise DefinitionError(source, f"{name!r} cannot be read as CSV: use utf-8, gbk, big5…")
    return info.name


@contextmanager
def csv_lines(path: str | Path, encoding: str = DEFAULT_ENCODING) -> Iterator[Iterator[str]]:
    """The decoded lines of a CSV file (gzip when its name ends in ``.gz``)."""
    p = Path(path)
    codec = checked_encoding(encoding, str(path))
    try:
        raw = cast("IO[bytes]", gzip.open(p, "rb") if p.suffix == ".gz" else p.open("rb"))  # noqa: SIM115
    except FileNotFoundError:
        raise DefinitionError(str(path), "file not found") from None
    except OSError as exc:
        raise DefinitionError(str(path), f"cannot read the file: {exc.strerror or exc}") from None
    with raw:
        yield _decoded(raw, str(path), codec)


def _decoded(raw: IO[bytes], name: str, codec: str) -> Iterator[str]:
    number = 0
    while True:
        try:
            chunk = raw.readline(MAX_LINE_BYTES + 1)
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise DefinitionError(name, f"the gzip file is damaged or cut short: {exc}") from None
        except OSError as exc:
            raise DefinitionError(name, f"cannot read the file: {exc}", number + 1) from None
        if not chunk:
            return
        number += 1
        if len(chunk) > MAX_LINE_BYTES:
            raise DefinitionError(name, f"the line is longer than {MAX_LINE_BYTES:,} bytes", number)
        yield _decode(chunk, name, codec, number)


def _decode(chunk: bytes, name: str, codec: str, number: int) -> str:
    if number == 1:
        chunk = chunk.removeprefix(codecs.BOM_UTF8)
    try:
        text = chunk.decode(codec)
    except UnicodeDecodeError as exc:
        byte = chunk[exc.start]
        raise DefinitionError(
            name,
            f"not {codec} text (byte {byte:#04x} at column {exc.start + 1}); give the file's "
            "encoding (slm import tickets --encoding gbk, or encoding: in the mapping)",
            number,
        ) from None
    return text.removeprefix("\ufeff") if number == 1 else text


def text_lines(text: str, name: str) -> Iterator[str]:
    """The lines of CSV text already decoded (a body posted to the API): a byte order mark
    dropped, each line bounded like a file's."""
    start, number = 0, 0
    text = text.removeprefix("\ufeff")
    while start < len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end + 1
        number += 1
        if end - start > MAX_LINE_BYTES:
            raise DefinitionError(
                name, f"the line is longer than {MAX_LINE_BYTES:,} characters", number
            )
        yield text[start:end]
        start = end


def dict_rows(lines: Iterable[str], name: str) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """The header and the rows, each with the line it ends on; a row the csv module refuses
    is a :class:`DefinitionError` naming its line."""
    reader = csv.DictReader(iter(lines))
    try:
        header = list(reader.fieldnames or [])
    except csv.Error as exc:
        raise DefinitionError(name, f"cannot read the CSV: {exc}", reader.line_num or 1) from None
    if header:
        header[0] = header[0].removeprefix("\ufeff")
        reader.fieldnames = header
    return header, _rows(reader, name)


def _rows(reader: csv.DictReader[str], name: str) -> Iterator[tuple[int, Row]]:
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DefinitionError(name, f"cannot read the CSV: {exc}", reader.line_num) from None
        yield reader.line_num, {k: v or "" for k, v in row.items() if isinstance(k, str)}
