"""Rows as columns: what the bulk reads return and the bulk writes take.

A column of a million integers is one NumPy array, never a million Python objects; strings are
small integer codes into a vocabulary (:class:`Coded`), instants epoch seconds with
:data:`MISSING` for NULL. The same columns go to PostgreSQL by binary COPY (:mod:`bulk_copy`)
and to SQLite as plain tuples (:meth:`Columns.rows`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

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
