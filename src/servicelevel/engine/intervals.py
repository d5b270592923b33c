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
    span it came from; pieces come in the order of their spans, and by start within one.

    Spans that meet no cut (most of them: a calendar has far more shifts than closures) are
    kept in one vectorised step; only the others are cut one by one."""
    n = int(cut_start.size)
    first = np.searchsorted(cut_end, start, side="right")
    touched = np.zeros(start.shape, dtype=bool)
    if n:
        touched = (first < n) & (cut_start[np.minimum(first, n - 1)] < end)
    whole = np.flatnonzero(~touched)
    out_s: list[int] = []
    out_e: list[int] = []
    origin: list[int] = []
    cuts_s, cuts_e = cut_start.tolist(), cut_end.tolist()
    for k in np.flatnonzero(touched).tolist():
        cursor, e, j = int(start[k]), int(end[k]), int(first[k])
        while j < n and cuts_s[j] < e:
            if cuts_s[j] > cursor:
                out_s.append(cursor)
                out_e.append(cuts_s[j])
                origin.append(k)
            cursor, j = max(cursor, cuts_e[j]), j + 1
        if cursor < e:
            out_s.append(cursor)
            out_e.append(e)
            origin.append(k)
    s_all = np.concatenate((start[whole], np.array(out_s, dtype=np.int64)))
    e_all = np.concatenate((end[whole], np.array(out_e, dtype=np.int64)))
    o_all = np.concatenate((whole, np.array(origin, dtype=np.int64)))
    order = np.lexsort((s_all, o_all))
    return (
        s_all[order].astype(np.int64),
        e_all[order].astype(np.int64),
        o_all[order].astype(np.int64),
    )
