"""The review register prints on A4 landscape without breaking short words: Pango narrows a
column by breaking a two-character Chinese word ("已安/排") or a date between its characters
unless the words are kept whole; each script prints in its own face."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from servicelevel.reports.review_register import html_of, pdf_bytes
from servicelevel.services.reviews.register import RegisterRow

ROW = RegisterRow(
    id=1,
    agreement="SLA-CONTOSO-2026",
    agreement_title="Contoso 财务部 IT 服务",
    kind="SLA",
    counterparty="Contoso 财务部",
    period="2026年3月1日 – 2026年5月31日",
    scheduled_at=dt.datetime(2026, 6, 5, 2, 0, tzinfo=dt.UTC),
    chair="",
    status="scheduled",
    overdue=True,
    outcome="",
    held_at=None,
    attended=0,
    invited=1,
    decisions=0,
    actions_open=0,
    actions_done=0,
)


def test_short_words_and_dates_are_kept_whole_and_long_ones_may_break() -> None:
    page = html_of([ROW], "zh_Hans", "Asia/Shanghai")
    kept = set(re.findall(r'<span class="w">([^<]*)</span>', page))
    assert {"已安排", "未完成行动项", "2026年6月5日", "10:00", "财务部"} <= kept
    assert "<span>SLA-CONTOSO-2026</span>" in page  # 16 characters: may break at its hyphens


@pytest.mark.parametrize(("locale", "face"), [("zh_Hans", "CJK-SC"), ("zh_Hant", "CJK-TC")])
def test_each_script_prints_in_its_own_face_with_its_words_whole(locale: str, face: str) -> None:
    pdf = pdf_bytes([ROW], locale, "Asia/Shanghai")
    fonts = subprocess.run(
        ["pdffonts", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert face in fonts
    assert "CJK-JP" not in fonts
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "2026年6月5日" in text
    assert "已安排" in text  # the same characters in both scripts
