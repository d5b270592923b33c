"""Span arithmetic against sets of integer points."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from servicelevel.engine.intervals import subtract, union

spans = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 60)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=12,
)


def arrays(pairs: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([a for a, _ in pairs], dtype=np.int64),
        np.array([b for _, b in pairs], dtype=np.int64),
    )


@settings(max_examples=300, deadline=None)
@given(spans, spans)
def test_each_span_loses_exactly_the_points_of_the_cuts(
    kept: list[tuple[int, int]], cuts: list[tuple[int, int]]
) -> None:
    cut_s, cut_e = union(*arrays(cuts))
    cut_points = {t for a, b in cuts for t in range(a, b)}
    s, e, origin = subtract(*arrays(kept), cut_s, cut_e)
    for k, (a, b) in enumerate(kept):
        pieces = [(int(x), int(y)) for x, y, o in zip(s, e, origin, strict=True) if o == k]
        assert all(x < y for x, y in pieces)
        assert [x for x, _ in pieces] == sorted(x for x, _ in pieces)
        got = [t for x, y in pieces for t in range(x, y)]
        assert got == [t for t in range(a, b) if t not in cut_points]  # disjoint and exact
    assert list(origin) == sorted(origin)
