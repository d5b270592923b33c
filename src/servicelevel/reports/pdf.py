"""PDF from HTML with WeasyPrint (Pango lays out Chinese with the Noto CJK fonts that
``make install`` puts on the machine; nothing is fetched from the network).

The HTML holds text that users wrote (party names, titles, templates, signatures), and Markdown
turns ``![x](http://…)`` into an image: left to WeasyPrint's default fetcher, rendering would
make the server request any URL a user names, inside the network it sits in (SSRF). So the
renderer reads only what the document carries itself (``data:`` URIs) and files inside the
package; every other URL is refused and the image is simply left out.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PACKAGE = Path(__file__).resolve().parents[1]
# PDFs rendered by this process: stored files are served without rendering, and tests read this
RENDERS: Counter[str] = Counter()


class RefusedURLError(ValueError):
    """A URL the renderer does not fetch."""


class OwnAssetsOnly(URLFetcher):  # type: ignore[misc]  # WeasyPrint is untyped
    """Serves ``data:`` URIs and files under the package; refuses everything else."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if not allowed(url):
            raise RefusedURLError(f"not fetched (documents use only their own assets): {url[:200]}")
        response: URLFetcherResponse = super().fetch(url, headers)
        return response


def allowed(url: str) -> bool:
    """Whether the renderer may read ``url``: its own data, or a file of the package."""
    scheme = url.split(":", 1)[0].strip().lower()
    if scheme == "data":
        return True
    if scheme != "file":
        return False
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return path.is_relative_to(PACKAGE) and path.is_file()


def pdf_of(html: str) -> bytes:
    """The document as PDF bytes (A4, as the page's ``@page`` rule says)."""
    RENDERS["pdf"] += 1
    fetcher = OwnAssetsOnly(timeout=5, allowed_protocols=("data", "file"), allow_redirects=False)
    data: bytes = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    return data
