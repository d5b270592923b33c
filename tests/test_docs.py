"""Documentation that must match the code."""

from __future__ import annotations

from pathlib import Path

from servicelevel.services.identity.permissions import matrix_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_permission_page_shows_the_current_matrix() -> None:
    assert matrix_markdown() in (DOCS / "permissions.md").read_text(encoding="utf-8")


def test_every_api_route_is_in_the_api_page(tmp_path: Path) -> None:
    """A new endpoint is not done until docs/api.md lists it (method and path)."""
    import re

    from servicelevel.app import create_app
    from tests.api_routes import api_operations

    def shape(path: str) -> str:
        return re.sub(r"\{[^}]*\}", "{}", path.split("?")[0])

    text = (DOCS / "api.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (`[^|]+) \|", text, re.M)  # the first cell of each table row
    documented = {
        (method, shape(path))
        for row in rows
        for method, path in re.findall(r"`([A-Z]+) (/[^`\s]*)`", row)
    }
    app = create_app(f"sqlite:///{tmp_path / 'docs.sqlite3'}")
    missing = sorted(
        (method, path)
        for method, path in api_operations(app)
        if (method, shape(path.removeprefix("/api/v1"))) not in documented
    )
    assert missing == [], missing
