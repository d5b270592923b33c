"""Documentation that must match the code."""

from __future__ import annotations

from pathlib import Path

from servicelevel.services.permissions import matrix_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_permission_page_shows_the_current_matrix() -> None:
    assert matrix_markdown() in (DOCS / "permissions.md").read_text(encoding="utf-8")
