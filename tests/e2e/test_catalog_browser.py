"""The catalog in a real browser: a manager adds a service, offers an option, approves and
publishes it, and finds the work item and the published page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.actions import go_to
from tests.e2e.conftest import sign_in


def test_a_manager_publishes_a_service_with_an_option(page: Page) -> None:
    sign_in(page, "manager")
    go_to(page, "Catalog")
    page.get_by_role("link", name="Add a service").click()
    page.get_by_label("Code").fill("helpdesk")
    page.get_by_label("Name", exact=True).fill("Help desk")
    page.get_by_label("Name in Simplified Chinese").fill("服务台")
    page.get_by_label("Service hours").select_option(label="Beijing office")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("Help desk"))).to_be_visible()

    page.get_by_role("link", name="Edit the options").click()
    page.get_by_label("Code 1", exact=True).fill("std")
    page.get_by_label("Name 1", exact=True).fill("Standard")
    page.get_by_label("Option 1", exact=True).fill("std")
    page.get_by_label("Metric 1", exact=True).select_option("resolution")
    page.get_by_label("Within 1", exact=True).fill("2 hours")
    page.get_by_label("Objective 1", exact=True).fill("90")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("2 hours is not a duration")
    page.get_by_label("Within 1", exact=True).fill("2h")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="90%")).to_be_visible()

    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".badge")).to_have_text("Approved")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".badge")).to_have_text("Published")

    go_to(page, "Work list")
    expect(page.get_by_role("cell", name="Define the SLA")).to_be_visible()
    page.get_by_role("link", name="简体中文").click()
    page.goto("/catalog")
    expect(page.get_by_role("heading", name=re.compile("服务台"))).to_be_visible()
