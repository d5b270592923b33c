"""Refusals read in the page's language from start to end: an error page says what its status
means when the framework's own message is English only, a definition's mistake is worded by us
(not pydantic's "Input should be 'SLA', 'OLA' or 'UC'"), and a field is named by its label."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.integration.factories import World
from tests.integration.web.page_words import english_on, read_page
from tests.integration.web.test_pages import sign_in


def test_an_unknown_address_answers_a_page_wholly_in_chinese(
    client: TestClient, world: World
) -> None:
    sign_in(client, "manager")
    client.cookies.set("slm_lang", "zh_Hans")
    for path, status in (("/no-such-page", 404), ("/agreements/not-a-number", 422)):
        page = client.get(path)
        assert page.status_code == status
        main = page.text.split("<main", 1)[1].split(">", 1)[1].split("</main>", 1)[0]
        assert english_on(read_page(path, f'<html lang="zh-Hans">{main}</html>'), set()) == []
    assert "此地址没有内容" in client.get("/no-such-page").text


def test_a_definitions_wrong_choice_is_worded_by_us_in_the_readers_language(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    document = "kind: SLB\nid: SLA-X\ntitle: X\n"
    client.cookies.set("slm_lang", "en")
    page = client.post("/agreements/new", data={"document": document, "csrf": csrf}).text
    assert "must be one of SLA, OLA, UC" in page
    assert "Input should be" not in page
    client.cookies.set("slm_lang", "zh_Hant")
    page = client.post("/agreements/new", data={"document": document, "csrf": csrf}).text
    assert "必須是以下之一：SLA, OLA, UC" in page


def test_a_missing_field_is_named_by_its_label_not_its_key(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "admin")
    client.cookies.set("slm_lang", "zh_Hans")
    page = client.post("/services/new", data={"code": "x", "name": " ", "csrf": csrf})
    assert page.status_code == 422
    error = page.text.split('id="name-error"', 1)[1].split("</span>", 1)[0]
    assert "名称" in error
    assert "name" not in error.split(">", 1)[1]
