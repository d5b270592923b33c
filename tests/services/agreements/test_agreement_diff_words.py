"""A changed field's values in the reader's words, as the diff page and the API both give them:
by the kind of value, with the reader's separators, a dash for none."""

from __future__ import annotations

from typing import Any

import pytest

from servicelevel.i18n import translator
from servicelevel.services.agreements.diff_words import value_words


@pytest.mark.parametrize(
    ("kind", "value", "en", "hans"),
    [
        ("duration", "4h", "4 h", "4 小时"),
        ("percent", 0.9995, "99.95%", "99.95%"),
        ("percents", [0.75, 0.9], "75%, 90%", "75%、90%"),
        ("number", 12000, "12,000", "12,000"),
        ("review", "monthly", "Monthly", "每月"),
        ("tiers", [(0.999, 0.05), (0.99, 0.1)], "below 99.9% → 5%; below 99% → 10%", None),
        ("list", ["email", "erp"], "email, erp", "email、erp"),
        ("text", None, "—", "—"),
        ("percents", [], "—", "—"),
        ("text", {"items": ["a", "b"]}, "items: a, b", None),
    ],
)
def test_a_value_reads_by_its_kind_in_each_language(
    kind: str, value: Any, en: str, hans: str | None
) -> None:
    assert value_words(kind, value, translator("en")) == en
    if hans is not None:
        assert value_words(kind, value, translator("zh_Hans")) == hans


def test_a_clocks_rules_read_in_order_with_the_ticket_states_in_words() -> None:
    clock = {"stop": {"states": ["Resolved"]}, "pause": {"states": ["Awaiting Customer"]}}
    assert (
        value_words("clock", clock, translator("en"))
        == "Clock pauses on: Awaiting Customer; Clock stops on: Resolved"
    )
    assert (
        value_words("clock", clock, translator("zh_Hans")) == "暂停计时：等待客户；停止计时：已解决"
    )
