"""The web UI in a real browser: sign-in, navigation, a form error, search, languages."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.actions import go_to
from tests.e2e.conftest import sign_in


def test_a_wrong_password_is_refused_and_the_right_one_signs_in(page: Page) -> None:
    sign_in(page, "manager", "not the password")
    expect(page.get_by_role("alert")).to_contain_text("wrong username or password")
    sign_in(page, "manager")
    expect(page.get_by_role("heading", name="Service level dashboard")).to_be_visible()
    expect(page.locator(".who")).to_have_text("manager")


def test_navigation_reaches_parties_and_calendars(page: Page) -> None:
    sign_in(page, "viewer")
    go_to(page, "Parties")
    expect(page).to_have_url(re.compile(r"/parties$"))
    expect(page.get_by_role("link", name="ACME")).to_be_visible()
    page.get_by_role("link", name="ACME").click()
    expect(page.get_by_role("heading", name=re.compile("Acme Corp"))).to_be_visible()
    go_to(page, "Calendars")
    page.get_by_role("link", name="bj").click()
    expect(page.get_by_role("heading", name=re.compile("Beijing office"))).to_be_visible()
    expect(page.get_by_text("09:00–12:00, 13:30–18:00").first).to_be_visible()


def test_a_form_with_a_missing_name_shows_the_error_beside_the_field(page: Page) -> None:
    sign_in(page, "manager")
    page.goto("/parties/new")
    page.get_by_label("Code").fill("NET")
    page.get_by_label("Kind").select_option("supplier")
    page.get_by_role("button", name="Save").click()
    error = page.locator("#name-error")
    expect(error).to_have_text("a name is required")
    expect(page.get_by_label("Code")).to_have_value("NET")
    page.get_by_label("Name", exact=True).fill("NetCo")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("NetCo"))).to_be_visible()


def test_live_search_filters_the_list(page: Page) -> None:
    sign_in(page, "viewer")
    page.goto("/parties")
    page.get_by_placeholder("Search by code or name").fill("glob")
    expect(page.get_by_role("link", name="ACME")).to_have_count(0)
    expect(page.get_by_role("link", name="GLOBEX")).to_be_visible()


def test_switching_language_changes_the_labels(page: Page, tmp_path: Path) -> None:
    sign_in(page, "viewer")
    page.get_by_role("link", name="简体中文").click()
    nav = page.locator("#main-nav")
    expect(nav.get_by_role("link", name="协议")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.get_by_role("link", name="繁體中文").click()
    expect(page.locator("#main-nav").get_by_role("link", name="協議")).to_be_visible()
    page.screenshot(path=str(tmp_path / "zh-Hant.png"))
    page.get_by_role("link", name="English").click()
    expect(page.locator("#main-nav").get_by_role("link", name="Agreements")).to_be_visible()
