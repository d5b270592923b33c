"""A Markdown image written into an agreement's title or into a template makes the PDF
rendering request nothing: a real server on loopback sees no request (no SSRF)."""

from __future__ import annotations

import copy

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.api.conftest import auth
from tests.integration.factories import World
from tests.reports.test_pdf_fetcher import loopback_server


def test_images_in_a_title_and_a_template_are_not_fetched_when_rendering_a_pdf(
    client: TestClient, session: Session, world: World, tokens: dict[str, str]
) -> None:
    assert everyone(session, world)
    manager = auth(tokens["manager"])
    with loopback_server() as (url, seen):
        doc = copy.deepcopy(SLA)
        doc["title"] = f"E-mail ![logo]({url}/title.png)"
        made = client.post("/api/v1/agreements", headers=manager, json={"document": doc})
        assert made.status_code == 201, made.text
        template = client.post(
            "/api/v1/templates",
            headers=manager,
            json={
                "code": "with-image",
                "kind": "SLA",
                "language": "en",
                "name": "With an image",
                "is_default": True,
                "body": f"![banner]({url}/template.png)\n\n# {{{{ agreement.title }}}}\n\n"
                "For {{ counterparty.name }}",
            },
        )
        assert template.status_code == 201, template.text
        rendering = f"/api/v1/agreements/{made.json()['id']}/rendering"
        html = client.get(rendering, headers=manager)
        assert f'<img src="{url}/template.png"' in html.text  # the image is in the HTML
        assert f'<img src="{url}/title.png"' in html.text
        pdf = client.get(f"{rendering}?format=pdf", headers=manager)
        assert pdf.status_code == 200
        assert pdf.content.startswith(b"%PDF")
    assert seen == []
