"""The browser's time zone (static/timezone.js): suggested on the account page to a person who
never chose one, kept for their pages meanwhile, and saved with one click."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.uow import unit_of_work
from tests.e2e.conftest import PASSWORD, sign_in


def test_a_new_users_browser_zone_is_suggested_then_saved(
    browser: Browser, base_url: str, database_url: str
) -> None:
    with unit_of_work(database_url) as db:
        identity.create_user(
            db, actor=SYSTEM, username="in-new-york", password=PASSWORD, roles=[RoleGrant("viewer")]
        )
    context = browser.new_context(base_url=base_url, locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    try:
        sign_in(page, "in-new-york")
        page.goto("/account")
        picker = page.locator("#f-timezone")
        expect(picker).to_have_value("America/New_York")
        assert picker.get_attribute("data-browser-zone") is not None
        zone = [c["value"] for c in context.cookies() if c["name"] == "slm_tz"]
        assert zone == ["America/New_York"]  # pages follow it until a zone is saved
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_role("status")).to_have_text("Your settings have been saved.")
        expect(picker).to_have_value("America/New_York")
        assert picker.get_attribute("data-browser-zone") is None
    finally:
        context.close()
