"""Ticket attributes as codes: ``Categorical.from_strings`` (one NumPy pass) against the plain
reference, a dictionary numbering values as they are first seen."""

from __future__ import annotations

import numpy as np
import pytest

from servicelevel.engine.targets import Categorical

LABELS: tuple[list[str], ...] = (
    [],
    [""],
    ["P2", "P1", "", "P2", "紧急", "P1", ""],
    ["网络", "Network", "network", "网络", "a", ""],
)


def plain(items: list[str | None]) -> tuple[list[int], tuple[str, ...]]:
    vocab: dict[str, int] = {}
    codes = [-1 if s is None or s == "" else vocab.setdefault(s, len(vocab)) for s in items]
    return codes, tuple(vocab)


@pytest.mark.parametrize("labels", LABELS)
def test_values_are_numbered_as_first_seen_from_a_list_or_an_array(labels: list[str]) -> None:
    codes, values = plain(list(labels))
    for given in (labels, np.array(labels, dtype=str)):
        coded = Categorical.from_strings(given)
        assert coded.values == values
        assert coded.codes.tolist() == codes
        assert coded.codes.dtype == np.int32


def test_none_is_not_given_like_the_empty_string() -> None:
    coded = Categorical.from_strings([None, "P1", None, "", "P1"])
    assert coded.codes.tolist() == [-1, 0, -1, -1, 0]
    assert coded.values == ("P1",)
