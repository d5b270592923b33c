"""PDF from HTML with WeasyPrint (Pango lays out Chinese with the Noto CJK fonts that
``make install`` puts on the machine; nothing is fetched from the network)."""

from __future__ import annotations

from weasyprint import HTML


def pdf_of(html: str) -> bytes:
    """The document as PDF bytes (A4, as the page's ``@page`` rule says)."""
    data: bytes = HTML(string=html, base_url=None).write_pdf()
    return data
