"""How a document is printed: its template filled and turned from Markdown into HTML, and the
page around it (the document's language and locale, the body font of that language, the
running header naming the document on every page, "page x of y", A4 portrait).

Agreement documents (:mod:`servicelevel.services.agreements.documents`) and service reports
are printed alike; the PDF is made from this HTML by :mod:`servicelevel.reports.pdf`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from typing import Any

from jinja2 import Template, TemplateError
from markdown_it import MarkdownIt

from servicelevel.i18n import translator
from servicelevel.services.catalog import templates
from servicelevel.services.shared.errors import Invalid

LOCALES = {"en": "en", "zh-Hans": "zh_Hans", "zh-Hant": "zh_Hant"}
markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


@lru_cache(maxsize=64)
def _compiled(body: str) -> Template:
    """A template's text compiled once (a report's took ~0.1 s to compile at every render);
    a compiled template is immutable and renders any context."""
    return templates.sandbox.from_string(body)


def render_markdown(body: str, context: dict[str, Any]) -> str:
    """Fill a template's placeholders, then turn its Markdown into HTML."""
    try:
        filled = _compiled(body).render(**context)
    except TemplateError as exc:
        raise Invalid(
            "the template cannot be filled in: {reason}", "template", reason=str(exc)
        ) from None
    rendered: str = markdown.render(filled)
    return rendered


@dataclass(frozen=True)
class Running:
    """What the page header says on every page of a printed document: which document (its id,
    e.g. an agreement's code and a report's period) and which issue of it (a revision)."""

    left: str
    right: str = ""


def report_running(code: str, period: str, revision: int | None, language: str) -> Running:
    """A service report's running header: the report (agreement code and period) and its
    revision, or that it is not published (live figures, which may still change)."""
    words = translator(LOCALES.get(language, "en"))
    right = (
        words.gettext("Revision {revision}").format(revision=revision)
        if revision
        else words.gettext("Not published")
    )
    return Running(f"{code} · {period}", right)


# The body font of each language: Chinese in its own script's face (the SC and TC faces draw
# some characters differently; fontconfig's default for "sans-serif" is the Japanese one).
# English in the CJK face's Latin too: an SVG chart's text takes the first family fontconfig
# will substitute, and a missing "Noto Sans" is substituted by DejaVu before the list goes on.
FONTS = {
    "en": '"Noto Sans CJK SC", "Noto Sans", "DejaVu Sans", sans-serif',
    "zh-Hans": '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", sans-serif',
    "zh-Hant": '"Noto Sans CJK TC", "Noto Sans TC", "Source Han Sans TC", sans-serif',
}


def page(content: str, title: str, language: str, running: Running | None = None) -> str:
    """A whole HTML page for a document, styled for screens and for print (A4 portrait): the
    running header names the document on every page, the footer says "page x of y"."""
    shown = running or Running(title)
    words = translator(LOCALES.get(language, "en"))
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>
{print_css(language, shown, words.gettext("Page {page} of {pages}"))}
</style></head><body>
{charts_in_font(content, FONTS.get(language, FONTS["en"]))}
</body></html>"""


_CHART = re.compile(r'(<svg (?![^>]*font-family=)[^>]*class="chart")')


def charts_in_font(content: str, font: str) -> str:
    """The document's charts in the document's face: WeasyPrint draws an SVG's text in the
    SVG's own font (CSS of the page does not reach it), fontconfig's default being the
    Japanese CJK face; a chart that names no font gets the document's."""
    return _CHART.sub(lambda m: f'{m.group(1)} font-family="{escape(font)}"', content)


def print_css(language: str, running: Running, page_of: str) -> str:
    """The document's style: body font per language (margin boxes do not inherit the body's,
    so they name it too), tables that repeat their header on every page they run over."""
    font = FONTS.get(language, FONTS["en"])
    margin = f"font-family: {font}; font-size: 8.5pt; color: #5b6575;"
    return f"""@page {{ size: A4 portrait; margin: 22mm 18mm 20mm;
  @top-left {{ content: {css_string(running.left)}; {margin} }}
  @top-right {{ content: {css_string(running.right)}; {margin} }}
  @bottom-center {{ content: {page_counter(page_of)}; {margin} }} }}
html {{ font-family: {font}; }}
body {{ font-size: 10.5pt; line-height: 1.45; color: #1b1f24; max-width: 52rem; margin: auto; }}
h1 {{ font-size: 18pt; margin-bottom: .2em; }}
h2 {{ font-size: 13pt; margin: 1.2em 0 .5em; border-bottom: 1px solid #ccd; break-after: avoid; }}
table {{ border-collapse: collapse; width: 100%; margin: .6em 0; }}
thead {{ display: table-header-group; }} tr {{ break-inside: avoid; }}
th, td {{ border: 1px solid #bbc; padding: 3px 6px; text-align: left; vertical-align: top; }}
th {{ background: #eef1f6; }}
h1 + table th, h1 + table td {{ background: none; border: 0; border-bottom: 1px solid #dde; }}
h1 + table th:first-child, h1 + table td:first-child {{ width: 28%; color: #5b6575;
  font-weight: normal; }}
h1 + table th:last-child {{ font-weight: 600; }}
figure.chart {{ margin: .6em 0; break-inside: avoid; }}
svg.chart {{ display: block; max-width: 100%; height: auto; }}"""


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: a title may hold quotes or backslashes, and a ``<``
    could close the page's ``<style>`` element (so it is written as the escape ``\\3c``)."""
    cleaned = re.sub(r"\s+", " ", text).replace("\\", "\\\\").replace('"', '\\"')
    return '"' + cleaned.replace("<", "\\3c ") + '"'


def page_counter(template: str) -> str:
    """A translated "Page {page} of {pages}" as CSS ``content`` with the page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", template)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(p) or css_string(p) for p in parts if p)
