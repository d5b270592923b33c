"""The account page: a person picks their language and time zone, and every page follows."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.factories import World
from tests.integration.web.test_pages import csrf_of, sign_in


def selected_zone(html: str) -> str:
    picker = html.split('id="f-timezone"')[1].split("</select>")[0]
    found = re.search(r'<option value="([^"]+)" selected>', picker)
    assert found, "no zone selected"
    return found[1]


def test_the_browsers_zone_is_suggested_until_the_user_chooses_one(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, "manager")
    client.cookies.set("slm_tz", "Europe/Berlin")
    page = client.get("/account").text
    assert "data-browser-zone" in page  # timezone.js may still correct the guess
    assert selected_zone(page) == "Europe/Berlin"
    assert '<optgroup label="Europe">' in page
    assert "Berlin (GMT+01:00)" in page  # December: winter time


def test_saved_settings_change_the_language_and_the_zone_of_every_page(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, "manager")
    page = client.get("/account").text
    r = client.post(
        "/account/settings",
        data={"csrf": csrf_of(page), "locale": "zh_Hans", "timezone": "Asia/Shanghai"},
    )
    assert r.status_code == 200, r.text
    assert "设置已保存。" in r.text
    assert selected_zone(r.text) == "Asia/Shanghai"
    assert "data-browser-zone" not in r.text
    assert r.cookies.get("slm_lang") == "zh_Hans"
    client.cookies.set("slm_tz", "Europe/Berlin")  # a chosen zone wins over the browser's
    audit = client.get("/audit").text
    assert "2026年12月3日 18:" in audit  # the scenario's 10:xx UTC is 18:xx in Shanghai
    assert "上午" not in audit
    assert "AM" not in audit


def test_a_bad_zone_is_a_form_error_and_an_expired_form_says_so(
    client: TestClient, session: Session, world: World
) -> None:
    sign_in(client, "manager")
    page = client.get("/account").text
    bad = client.post(
        "/account/settings",
        data={"csrf": csrf_of(page), "locale": "en", "timezone": "Mars/Olympus"},
    )
    assert bad.status_code == 422
    assert 'id="timezone-error">unknown time zone Mars/Olympus' in bad.text
    expired = client.post(
        "/account/settings", data={"csrf": "stale", "locale": "en", "timezone": "Asia/Shanghai"}
    )
    assert expired.status_code == 422
    assert 'class="error" role="alert"' in expired.text
