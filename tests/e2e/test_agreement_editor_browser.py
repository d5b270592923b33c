"""The agreement editor in a real browser: a target's budget changed in the table, a mistake
shown beside its box with the focus on it, the success said after saving (Enter in a box
saves too); on a phone (390 px)
and a desktop (1440 px) the page fits the window and axe-core finds nothing serious."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.uow import unit_of_work
from tests.e2e.conftest import sign_in
from tests.e2e.test_layout_browser import overflow, serious_violations

DOCUMENT = {
    "id": "SLA-EDITOR",
    "kind": "SLA",
    "title": {"en": "E-mail, edited", "zh-Hans": "邮件服务（编辑）", "zh-Hant": "郵件服務（編輯）"},
    "customer": "ACME",
    "services": ["email"],
    "term": {"start": "2027-01-01", "end": "2027-12-31"},
    "calendars": {"office": "bj", "always": "24x7"},
    "clocks": {
        "response": {"stop": {"events": ["responded"]}},
        "resolution": {"stop": {"states": ["Resolved"]}},
    },
    "targets": [
        {"id": "P1-fix", "clock": "resolution", "when": {"priority": "P1"}, "within": "4h",
         "calendar": "always", "objective": "95%", "warnings": ["75%"]},
        {"id": "P2-fix", "clock": "resolution", "when": {"priority": "P2"}, "within": "2bd",
         "calendar": "office", "objective": "90%"},
    ],
    "availability": [{"id": "email-up", "service": "email", "calendar": "always",
                      "objective": "99.9%"}],
    "credits": [{"id": "email-credit", "target": "email-up",
                 "tiers": [{"below": "99.9%", "credit": "5%"}], "cap": "10%"}],
}  # fmt: skip


@pytest.fixture(scope="module")
def agreement_id(database_url: str) -> int:
    with unit_of_work(database_url) as db:
        made = agreements.create_agreement(db, actor=SYSTEM, document=DOCUMENT)
        db.flush()
        return made.id


@pytest.fixture(params=[(1440, 900), (390, 844)], ids=["desktop", "phone"])
def sized(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    width, height = request.param
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_target_is_edited_in_the_table_and_the_page_fits_and_passes_axe(
    sized: Page, agreement_id: int
) -> None:
    page = sized
    sign_in(page, "manager")
    page.goto(f"/agreements/{agreement_id}")
    page.get_by_role("link", name="Edit targets and credits").click()
    expect(page.get_by_role("heading", name=re.compile("Edit targets and credits"))).to_be_visible()
    assert overflow(page) <= 0
    assert serious_violations(page) == []

    within = page.locator("#f-targets-0-within")
    within.fill("soon")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#targets-0-within-error")).to_contain_text("cannot read soon")
    expect(page.locator("#f-targets-0-within")).to_be_focused()
    assert overflow(page) <= 0
    assert serious_violations(page) == []

    page.locator("#f-targets-0-within").fill("3h")
    page.locator("#f-targets-1-calendar").select_option(label="Around the clock (24×7)")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        "The targets and credit clauses of version 1 are saved."
    )
    targets = page.get_by_role("table").filter(has_text="P1-fix")
    expect(targets.get_by_role("row").filter(has_text="P1-fix")).to_contain_text("3 h")

    page.goto(f"/agreements/{agreement_id}/versions/1/targets")
    page.locator("#f-targets-0-within").fill("2h")
    page.locator("#f-targets-0-within").press("Enter")  # saves; it does not add a row
    expect(page.get_by_role("status")).to_contain_text(
        "The targets and credit clauses of version 1 are saved."
    )
    expect(targets.get_by_role("row").filter(has_text="P1-fix")).to_contain_text("2 h")

    page.goto("/language/zh_Hans")
    page.goto(f"/agreements/{agreement_id}/versions/1/targets")
    expect(page.get_by_role("heading", name=re.compile("编辑指标和服务赔偿"))).to_be_visible()
    assert overflow(page) <= 0
    assert serious_violations(page) == []
    page.goto("/language/en")
