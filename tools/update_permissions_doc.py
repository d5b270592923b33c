"""Rewrite the permission table in docs/permissions.md from the code (a test checks they agree)."""

from __future__ import annotations

from pathlib import Path

from servicelevel.services.identity.permissions import matrix_markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "permissions.md"


def main() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("| action |")
    end = text.index("\n\n", start)
    DOC.write_text(text[:start] + matrix_markdown() + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
