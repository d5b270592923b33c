"""A service report's words that come from data (credit reasons, overruns, categories) read in
the report's language: no English left in a Chinese report."""

from __future__ import annotations

import re

import pytest

from servicelevel.engine.credits import CreditClause, Tier, compute_credits
from servicelevel.i18n import translator
from servicelevel.services.reporting import words as report_words

LATIN = re.compile(r"[A-Za-z]")


@pytest.mark.parametrize("locale", ["zh_Hans", "zh_Hant"])
def test_every_reason_template_is_in_both_chinese_catalogs(locale: str) -> None:
    t = translator(locale)
    assert [m for m in report_words.MESSAGES if m not in t.messages] == []


def test_reasons_in_english_read_as_the_engine_reasons_did() -> None:
    clauses = [
        CreditClause("a", "avail", tiers=(Tier(0.999, 0.1), Tier(0.99, 0.25))),
        CreditClause("n", "avail", tiers=(Tier(0.9, 0.1),)),
        CreditClause("p", "P1", per_breach=1000),
        CreditClause("one", "P2", per_breach=250.5),
        CreditClause("cap", "P1", per_breach=1000, cap=1500),
    ]
    credits = compute_credits(clauses, {"avail": 0.995}, {"P1": 2, "P2": 1}, fee=100)
    reasons = [report_words.line_reason(line, "en") for line in credits.lines]
    assert reasons == [
        "below 99.9%",
        "no tier applies",
        "2 breaches × 1,000",
        "1 breach × 250.5",
        "2 breaches × 1,000, capped at the clause's limit",
    ]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-Hans", ["低于 99.9%", "未触及任何赔偿档位", "3 次违约 × 1,000，已按条款上限封顶"]),
        ("zh-Hant", ["低於 99.9%", "未觸及任何賠償級距", "3 次違約 × 1,000，已按條款上限封頂"]),
    ],
)
def test_reasons_in_chinese_have_no_english_word(language: str, expected: list[str]) -> None:
    clauses = [
        CreditClause("a", "avail", tiers=(Tier(0.999, 0.1),)),
        CreditClause("n", "avail", tiers=(Tier(0.9, 0.1),)),
        CreditClause("p", "P1", per_breach=1000, cap=2000),
    ]
    credits = compute_credits(clauses, {"avail": 0.995}, {"P1": 3}, fee=100)
    reasons = [report_words.line_reason(line, language) for line in credits.lines]
    assert reasons == expected
    assert not any(LATIN.search(r) for r in reasons)


def test_an_overrun_is_worded_per_language_and_keeps_the_engine_form_in_english() -> None:
    seconds = 5 * 3600 + 9 * 60 + 27
    assert report_words.overrun(seconds, "en") == "5h 9m 27s"
    assert report_words.overrun(seconds, "zh-Hans") == "5 小时 9 分钟 27 秒"
    assert report_words.overrun(0, "zh-Hant") == "0 秒"


def test_a_known_category_is_translated_and_an_unknown_one_kept_as_recorded() -> None:
    assert report_words.category("Network", "zh-Hans") == "网络"
    assert report_words.category("Network", "zh-Hant") == "網路"
    assert report_words.category("Network", "en") == "Network"
    assert report_words.category("Payroll-7", "zh-Hans") == "Payroll-7"
    assert report_words.category("", "zh-Hans") == "—"
