"""The PDF renderer fetches nothing from the network: a URL written into a document (an image
in Markdown, a stylesheet, a background) reaches no server, and files outside the package stay
unread. A real HTTP server on loopback, which would answer with a real image, must see no
request."""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from servicelevel.reports.pdf import PACKAGE, allowed, pdf_of

# a 1×1 PNG: what the server answers, so a fetch that happened would succeed
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@contextmanager
def loopback_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request's path and answers a PNG."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_loopback_server_answers_a_plain_client() -> None:
    """The control: the server does record a request that is really made."""
    from urllib.request import urlopen

    with loopback_server() as (url, seen), urlopen(f"{url}/control.png") as answer:
        assert answer.read() == PNG
    assert seen == ["/control.png"]


def test_no_url_in_a_document_is_fetched_when_it_becomes_a_pdf(tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    with loopback_server() as (url, seen):
        html = f"""<html><head>
<link rel="stylesheet" href="{url}/linked.css">
<style>@import url("{url}/imported.css");
body {{ background: url("{url}/background.png"); }}
@font-face {{ font-family: x; src: url("{url}/font.woff"); }}</style></head>
<body><p>Acme</p><img src="{url}/image.png">
<img src="http://localhost:{url.rsplit(":", 1)[1]}/named.png">
<img src="file://{secret}"><img src="file://127.0.0.1{secret}"></body></html>"""
        data = pdf_of(html)
    assert data.startswith(b"%PDF")
    assert seen == []


def test_the_documents_own_data_is_still_drawn() -> None:
    with_image = f'<p><img src="data:image/png;base64,{base64.b64encode(PNG).decode()}"></p>'
    assert b"/Subtype /Image" in pdf_of(with_image)
    assert b"/Subtype /Image" not in pdf_of("<p>no image</p>")


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("data:image/png;base64,AAAA", True),
        ("DATA:image/svg+xml,<svg/>", True),
        ((PACKAGE / "reports" / "pdf.py").as_uri(), True),
        ((PACKAGE / "reports" / ".." / ".." / ".." / "pyproject.toml").as_uri(), False),
        ("file:///etc/passwd", False),
        ("file://localhost/etc/hostname", False),
        ("http://127.0.0.1/x.png", False),
        ("https://example.com/x.png", False),
        ("ftp://127.0.0.1/x", False),
        ("gopher://127.0.0.1/x", False),
    ],
)
def test_only_data_and_the_packages_files_are_allowed(url: str, ok: bool) -> None:
    assert allowed(url) is ok
