"""Sets of half-open spans ``[start, end)`` as sorted int64 arrays: union and difference.

Working intervals, closures, outages and maintenance windows are all such sets.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]


def union(start: I64, end: I64) -> tuple[I64, I64]:
    """Merge overlapping or touching spans into sorted disjoint ones; empty spans vanish."""
    keep = end > start
    start, end = start[keep], end[keep]
    if not start.size:
        return start, end
    order = np.argsort(start, kind="stable")
    start, end = start[order], end[order]
    reach = np.maximum.accumulate(end)
    new = np.concatenate(([True], start[1:] > reach[:-1]))
    block = np.cumsum(new) - 1
    out_end = np.zeros(int(new.sum()), dtype=np.int64)
    np.maximum.at(out_end, block, reach)
    return start[new], out_end


def subtract(start: I64, end: I64, cut_start: I64, cut_end: I64) -> tuple[I64, I64, I64]:
    """Each span minus a union of cuts (sorted and disjoint); the spans themselves may overlap
    and come in any order. The third array gives, for each remaining piece, the index of the
    span it came from."""
    out_s: list[int] = []
    out_e: list[int] = []
    origin: list[int] = []
    cuts_s, cuts_e = cut_start.tolist(), cut_end.tolist()
    for k, (s, e) in enumerate(zip(start.tolist(), end.tolist(), strict=True)):
        cursor = s
        first = int(np.searchsorted(cut_end, s, side="right"))
        for cs, ce in zip(cuts_s[first:], cuts_e[first:], strict=True):
            if cs >= e:
                break
            if cs > cursor:
                out_s.append(cursor)
                out_e.append(cs)
                origin.append(k)
            cursor = max(cursor, ce)
        if cursor < e:
            out_s.append(cursor)
            out_e.append(e)
            origin.append(k)
    return (
        np.array(out_s, dtype=np.int64),
        np.array(out_e, dtype=np.int64),
        np.array(origin, dtype=np.int64),
    )
