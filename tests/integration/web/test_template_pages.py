"""Template pages and agreement documents from the agreement page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import Actor
from tests.integration.agreement_fixtures import everyone
from tests.integration.factories import World
from tests.integration.web.test_agreement_pages import draft
from tests.integration.web.test_pages import csrf_of, sign_in


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def test_a_template_is_added_from_the_standard_one_and_a_mistake_named(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    r = client.post(
        "/templates/new",
        data={
            "code": "sla-zh",
            "kind": "SLA",
            "language": "zh-Hans",
            "name": "标准 SLA",
            "body": "",
            "is_default": "1",
            "csrf": csrf,
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"]).text
    assert "一、协议期限" in page
    bad = client.post(
        r.headers["location"],
        data={"name": "标准 SLA", "body": "{% if x %}", "version": "1", "csrf": csrf_of(page)},
    )
    assert bad.status_code == 422
    assert 'id="body-error"' in bad.text
    assert "line 1:" in bad.text


def test_the_agreement_page_offers_its_document_in_three_languages(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    url = draft(client, csrf)
    page = client.get(url).text
    assert "language=zh-Hant" in page
    html = client.get(f"{url}/document?language=zh-Hant")
    assert "服務級別協議" in html.text
    pdf = client.get(f"{url}/document?language=zh-Hans&format=pdf")
    assert pdf.content.startswith(b"%PDF")
    yaml_text = client.get(f"{url}/document?format=yaml")
    assert "id: SLA-1" in yaml_text.text
