"""A translated message filled with values keeps a space beside a Latin value and none between
Chinese words."""

from __future__ import annotations

import pytest

from servicelevel.i18n.spacing import fill


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        ("电子邮件", "电子邮件的可用性"),
        ("電子郵件", "電子郵件的可用性"),
        ("email", "email 的可用性"),
        ("ERP 系统", "ERP 系统的可用性"),
        ("系统 ERP", "系统 ERP 的可用性"),
    ],
)
def test_a_value_ending_in_a_chinese_character_joins_the_chinese_after_it(
    service: str, expected: str
) -> None:
    assert fill("{service} 的可用性", service=service) == expected


def test_a_value_starting_with_a_chinese_character_joins_the_chinese_before_it() -> None:
    assert fill("评审 {code}", code="年度") == "评审年度"
    assert fill("评审 {code}", code="SLA-1") == "评审 SLA-1"


def test_english_messages_keep_their_spaces() -> None:
    assert fill("Availability of {service}", service="电子邮件") == "Availability of 电子邮件"
    assert fill("{a} and {b}", a="x", b="y") == "x and y"
