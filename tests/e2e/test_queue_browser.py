"""The ticket queue in Chromium: a filter typed or chosen replaces the queue in place and puts
itself in the address (so the list can be bookmarked or linked to), and neither the queue nor
the dashboard scrolls sideways on a phone."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from servicelevel.db.repositories import parties as party_repo
from servicelevel.services.shared.uow import unit_of_work
from tests.e2e.conftest import add_resolved_ticket, sign_in


def test_a_filter_replaces_the_queue_in_place_and_goes_into_the_address(
    page: Page, database_url: str
) -> None:
    with unit_of_work(database_url) as db:
        acme = party_repo.party_by_code(db, "ACME")
        assert acme is not None
        opened = dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)
        add_resolved_ticket(db, acme.id, "QUEUE-E2E-1", opened, 2)
    sign_in(page, "manager")
    page.goto("/tickets")
    expect(page.get_by_role("heading", name="Ticket queue")).to_be_visible()
    page.get_by_role("searchbox").fill("QUEUE-E2E")
    expect(page.locator("#ticket-rows tr")).to_have_count(1)
    expect(page.locator("#ticket-rows")).to_contain_text("QUEUE-E2E-1")
    expect(page.locator("#queue")).to_contain_text("Tickets found: 1 · page 1 of 1")
    expect(page).to_have_url(re.compile(r"/tickets\?.*q=QUEUE-E2E"))
    page.get_by_label("All customers").select_option("GLOBEX")
    expect(page.locator("#ticket-rows")).not_to_contain_text("QUEUE-E2E-1")
    expect(page).to_have_url(re.compile(r"customer=GLOBEX"))


def test_the_queue_and_the_dashboard_fit_a_phone(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "manager")
    for path in ("/", "/tickets", "/tickets?clock=at_risk"):
        page.goto(path)
        wide = page.evaluate("document.scrollingElement.scrollWidth")
        assert wide <= 390, path
