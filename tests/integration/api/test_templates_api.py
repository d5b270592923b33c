"""Document templates and agreement documents: HTML and PDF in three languages, the PDF read
back (its text and its pages as images), edited templates, and template mistakes by line."""

from __future__ import annotations

import pypdfium2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.identity.permissions import Actor
from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.api.conftest import auth
from tests.integration.factories import World


@pytest.fixture
def sla(client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> int:
    actors: dict[str, Actor] = everyone(session, world)
    assert actors
    r = client.post("/api/v1/agreements", headers=auth(tokens["admin"]), json={"document": SLA})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def pdf_text(data: bytes) -> tuple[str, int, float]:
    """The PDF's text, its page count and how much of page 1 is ink (rendered to an image)."""
    document = pypdfium2.PdfDocument(data)
    try:
        text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
        image = document[0].render(scale=0.5).to_pil().convert("L")
        ink = sum(image.histogram()[:128]) / (image.width * image.height)
        return text, len(document), ink
    finally:
        document.close()


def test_an_sla_document_renders_as_html_and_as_a_pdf_with_chinese(
    client: TestClient, tokens: dict[str, str], sla: int
) -> None:
    url = f"/api/v1/agreements/{sla}/rendering"
    html = client.get(f"{url}?language=zh-Hans", headers=auth(tokens["admin"]))
    assert html.status_code == 200, html.text
    assert "阿克米邮件服务" in html.text
    assert "<table>" in html.text
    assert "7×24 小时" in html.text
    pdf = client.get(f"{url}?language=zh-Hans&format=pdf", headers=auth(tokens["admin"]))
    assert pdf.headers["content-type"] == "application/pdf"
    text, pages, ink = pdf_text(pdf.content)
    assert "服务级别协议 SLA-1" in text  # the glyphs are there and map back to the characters
    assert "四、服务级别指标" in text
    assert pages >= 1
    assert ink > 0.005  # something is printed on the page, not a blank sheet
    hant = client.get(f"{url}?language=zh-Hant&format=pdf", headers=auth(tokens["admin"]))
    assert "服務級別協議" in pdf_text(hant.content)[0]
    english = client.get(f"{url}?format=pdf", headers=auth(tokens["admin"]))
    assert "Service level agreement SLA-1" in pdf_text(english.content)[0]


def test_an_edited_default_template_is_used_and_a_bad_one_is_refused(
    client: TestClient, tokens: dict[str, str], sla: int
) -> None:
    manager = auth(tokens["manager"])
    r = client.post(
        "/api/v1/templates",
        headers=manager,
        json={
            "code": "sla-short",
            "kind": "SLA",
            "language": "en",
            "name": "Short SLA",
            "body": "# {{ agreement.title }}\n\nFor {{ counterparty.name }}: "
            "{% for t in targets %}{{ t.id }} {{ t.objective }}; {% endfor %}",
            "is_default": True,
        },
    )
    assert r.status_code == 201, r.text
    html = client.get(f"/api/v1/agreements/{sla}/rendering", headers=manager).text
    assert "For Acme Corp: P1-resolution 95%; P2-resolution 90%;" in html
    bad = client.patch(
        f"/api/v1/templates/{r.json()['id']}",
        headers=manager,
        json={"lock_version": 1, "body": "# Title\n\n{% for t in targets %}\nno end"},
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "body"
    assert bad.json()["error"]["message"].startswith("line 3:")
    standard = client.post(
        "/api/v1/templates",
        headers=manager,
        json={"code": "uc-zh", "kind": "UC", "language": "zh-Hans", "name": "支持合同"},
    )
    assert "支持合同" in standard.json()["body"]  # a copy of the standard template


def test_a_template_cannot_reach_outside_its_values(
    client: TestClient, tokens: dict[str, str], sla: int
) -> None:
    manager = auth(tokens["manager"])
    r = client.post(
        "/api/v1/templates",
        headers=manager,
        json={
            "code": "evil",
            "kind": "SLA",
            "language": "en",
            "name": "x",
            "is_default": True,
            "body": "{{ agreement.__class__.__mro__[1].__subclasses__() }}",
        },
    )
    assert r.status_code == 201
    html = client.get(f"/api/v1/agreements/{sla}/rendering", headers=manager)
    assert html.status_code == 422
    assert "cannot be filled in" in html.json()["error"]["message"]
