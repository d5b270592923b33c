"""A printed document (agreement or service report) on A4: the body font of its language on
every page, margin boxes included, and a header that cannot break out of the page's style."""

from __future__ import annotations

import pypdfium2
import pytest
from weasyprint import HTML

from servicelevel.services.agreements import printing as documents


@pytest.mark.parametrize(
    ("language", "face", "counter"),
    [
        ("en", '"Noto Sans CJK SC"', '"Page " counter(page) " of " counter(pages)'),
        ("zh-Hans", '"Noto Sans CJK SC"', '"第 " counter(page) " 页，共 " counter(pages) " 页"'),
        ("zh-Hant", '"Noto Sans CJK TC"', '"第 " counter(page) " 頁，共 " counter(pages) " 頁"'),
    ],
)
def test_each_language_prints_in_its_own_face_with_page_x_of_y_in_that_face(
    language: str, face: str, counter: str
) -> None:
    html = documents.page("<p>x</p>", "T", language, documents.Running("SLA-1 · 2026-11", "R 2"))
    assert f'<html lang="{language}">' in html
    assert f"html {{ font-family: {face}," in html
    assert f"content: {counter};" in html
    margin_fonts = html.count(f"font-family: {face},")
    assert margin_fonts == 4  # the body and the three margin boxes
    assert 'content: "SLA-1 · 2026-11";' in html
    assert 'content: "R 2";' in html


def test_a_title_cannot_close_the_style_element_or_the_css_string() -> None:
    html = documents.page("", "t", "en", documents.Running('a "b" \\ </style><script>x'))
    style = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "<" not in style
    assert 'content: "a \\"b\\" \\\\ \\3c /style>\\3c script>x";' in style


def test_the_chinese_pdfs_embed_the_sc_and_tc_faces_and_never_the_japanese_one() -> None:
    for language, face in (("zh-Hans", b"Noto-Sans-CJK-SC"), ("zh-Hant", b"Noto-Sans-CJK-TC")):
        content = "<h1>服务报告 標題 骨</h1><p>正文 直 说</p>"
        html = documents.page(content, "报告", language, documents.Running("报告 · 2026-11"))
        data = HTML(string=html).write_pdf(uncompressed_pdf=True)  # font names readable
        assert face in data
        assert b"CJK-JP" not in data


@pytest.mark.parametrize(
    ("revision", "language", "right"),
    [
        (2, "en", "Revision 2"),
        (None, "en", "Not published"),
        (3, "zh-Hans", "第 3 次修订"),
        (None, "zh-Hant", "未發佈"),
    ],
)
def test_a_report_s_header_names_it_and_its_revision_in_the_report_s_language(
    revision: int | None, language: str, right: str
) -> None:
    running = documents.report_running("SLA-1", "2026-11", revision, language)
    assert running == documents.Running("SLA-1 · 2026-11", right)


def test_a_chart_in_a_document_takes_the_document_s_face_unless_it_names_its_own() -> None:
    plain = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1" class="chart"></svg>'
    named = '<svg font-family="X" class="chart"></svg>'
    html = documents.page(plain + named, "t", "zh-Hant")
    tc = documents.FONTS["zh-Hant"].replace('"', "&quot;")
    assert plain.replace('class="chart"', f'class="chart" font-family="{tc}"') in html
    assert named in html


def test_a_long_table_repeats_its_header_on_every_page_it_runs_over() -> None:
    rows = "".join(f"| T{n} | INC{n:06d} |\n" for n in range(150))
    table = documents.render_markdown(f"| Target | Ticket |\n|---|---|\n{rows}", {})
    html = documents.page(table, "t", "en")
    document = pypdfium2.PdfDocument(HTML(string=html).write_pdf())
    try:
        texts = [page.get_textpage().get_text_range() for page in document]
    finally:
        document.close()
    assert len(texts) >= 3
    assert all("Target" in t and "Ticket" in t for t in texts)
