"""``searchsorted(side="right")`` in constant time per query, for the calendar's hot path.

NumPy's binary search costs about 50 ns per query when the queries are in random order (cache
misses and mispredicted branches), and a million tickets ask tens of millions of them. A
direct-address table over equal buckets of the searched range answers a query with one table
read and, at most, one step forward: the bucket width is a power of two no wider than the
smallest gap between searched values, so a bucket holds at most one value beyond its start.
Queries outside the table's range fall back to the binary search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

I64 = NDArray[np.int64]
MIN_SHIFT, MAX_SHIFT = 6, 20
MAX_BUCKETS = 1 << 23


@dataclass(frozen=True)
class BucketIndex:
    padded: I64  # the sorted values followed by a sentinel larger than any query
    low: int
    high: int
    shift: int
    table: NDArray[np.int64]  # table[b] == searchsorted(values, low + (b << shift), "right")

    @classmethod
    def build(cls, values: I64, low: int, high: int) -> BucketIndex:
        """Index ``values`` for queries in ``[low, high)``."""
        gaps = np.diff(values)
        gaps = gaps[gaps > 0]
        smallest = int(gaps.min()) if gaps.size else max(1, high - low)
        shift = int(np.clip(int(np.log2(max(smallest, 1))), MIN_SHIFT, MAX_SHIFT))
        while ((high - low) >> shift) + 2 > MAX_BUCKETS:
            shift += 1
        starts = low + (np.arange(((high - low) >> shift) + 2, dtype=np.int64) << shift)
        table = np.searchsorted(values, starts, side="right")
        padded = np.append(values, np.iinfo(np.int64).max)
        return cls(padded, low, high, shift, table)

    def right(self, q: I64) -> I64:
        """Same as ``np.searchsorted(values, q, side="right")``."""
        if q.size and (int(q.min()) < self.low or int(q.max()) >= self.high):
            return np.searchsorted(self.padded[:-1], q, side="right")
        i: I64 = self.table[(q - self.low) >> self.shift]
        while True:
            ahead = self.padded[i] <= q
            if not ahead.any():
                return i
            i += ahead
