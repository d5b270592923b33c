"""The layout in the browser: the manager's and the customer representative's main pages in
English, 简体中文 and 繁體中文, on a desktop (1440 px) and a phone (390 px) — no page scrolls
sideways, axe-core finds no serious or critical violation, the navigation folds into a menu
on the phone, and a destructive action asks first.

axe-core is the copy bundled in ``axe-playwright-python`` (injected into each page; nothing is
fetched). Each case walks its pages in one browser context so that the matrix stays quick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from servicelevel.db.repositories import parties as party_repo
from servicelevel.demo.agreements import put_in_force
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute
from servicelevel.services.shared.uow import unit_of_work
from tests.e2e.conftest import PASSWORD, add_resolved_ticket, sign_in

CODE = "SLA-LAYOUT"
DOCUMENT = {
    "id": CODE,
    "kind": "SLA",
    "title": {
        "en": "E-mail, laid out",
        "zh-Hans": "邮件服务（版式）",
        "zh-Hant": "郵件服務（版式）",
    },
    "customer": "ACME",
    "services": ["email"],
    "term": {"start": "2026-01-01", "end": "2026-12-31"},
    "calendars": {"always": "24x7"},
    "clocks": {"resolution": {"stop": {"states": ["Resolved"]}}},
    "targets": [
        {
            "id": "P1-fix",
            "clock": "resolution",
            "when": {"priority": "P1"},
            "within": "4h",
            "calendar": "always",
            "objective": "95%",
        }
    ],
}
MANAGER_PAGES = (
    "/",
    "/services",
    "/calendars",
    "/requirements",
    "/work",
    "/agreements",
    "/agreements/{id}",
    "/agreements/draft",
    "/portfolio",
    "/parties",
    "/templates",
    "/tickets",
    "/breaches",
    "/notifications",
    "/teams",
    "/connections",
    "/reviews",
    "/improvement-plans",
    "/surveys",
    "/audit",
    "/account",
)
CUSTOMER_PAGES = (
    "/",
    "/services",
    "/requirements",
    "/agreements",
    "/agreements/{id}",
    "/tickets",
    "/breaches",
    "/reviews",
    "/surveys",
    "/account",
)
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}
LANGUAGES = ("en", "zh_Hans", "zh_Hant")
SERIOUS = ("serious", "critical")


@pytest.fixture(scope="module")
def agreement_id(database_url: str) -> int:
    """An SLA of ACME in force with one late ticket, so the pages have rows to lay out."""
    with unit_of_work(database_url) as db:
        made = agreements.create_agreement(db, actor=SYSTEM, document=DOCUMENT)
        db.flush()
        signers = [
            identity.authenticate(db, username=name, password=PASSWORD)
            for name in ("manager", "acme")
        ]
        put_in_force(db, made, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), signers)
        customer = party_repo.party_by_code(db, "ACME")
        assert customer is not None
        opened = dt.datetime(2026, 3, 4, 10, tzinfo=dt.UTC)
        add_resolved_ticket(db, customer.id, "INC-LAYOUT", opened, 7)
        db.flush()
        recompute.recompute(db, agreement_id=made.id)
        return made.id


def _open(browser: Browser, base_url: str, width: str) -> Iterator[Page]:
    w, h = WIDTHS[width]
    context = browser.new_context(base_url=base_url, viewport={"width": w, "height": h})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(params=list(WIDTHS))
def sized_page(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    yield from _open(browser, base_url, request.param)


def overflow(page: Page) -> int:
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return int(page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth"))


def serious_violations(page: Page) -> list[str]:
    found: list[dict[str, Any]] = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in SERIOUS
    ]


def walk(page: Page, username: str, language: str, paths: tuple[str, ...], aid: int) -> None:
    sign_in(page, username)
    page.goto(f"/language/{language}")
    problems: list[str] = []
    for path in paths:
        url = path.format(id=aid)
        response = page.goto(url)
        assert response is not None
        if response.status != 200:
            problems.append(f"{url}: HTTP {response.status}")
            continue
        wider = overflow(page)
        if wider > 0:
            problems.append(f"{url}: {wider} px wider than the window")
        problems += [f"{url}: {v}" for v in serious_violations(page)]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_managers_pages_fit_the_window_and_pass_axe(
    sized_page: Page, agreement_id: int, language: str
) -> None:
    walk(sized_page, "manager", language, MANAGER_PAGES, agreement_id)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_customers_pages_fit_the_window_and_pass_axe(
    sized_page: Page, agreement_id: int, language: str
) -> None:
    walk(sized_page, "acme", language, CUSTOMER_PAGES, agreement_id)


def test_the_navigation_folds_into_a_menu_on_a_phone(
    browser: Browser, base_url: str, agreement_id: int
) -> None:
    for page in _open(browser, base_url, "phone"):
        sign_in(page, "manager")
        nav = page.locator("#main-nav")
        menu = page.get_by_role("button", name="Menu")
        expect(nav).to_be_hidden()
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        expect(nav.get_by_role("link", name="Breaches")).to_be_visible()
        assert overflow(page) <= 0  # the open menu fits too
        nav.get_by_role("link", name="Breaches").click()
        expect(page).to_have_url(f"{base_url}/breaches")
        expect(page.locator("#main-nav")).to_be_hidden()


def test_the_navigation_shows_its_groups_in_one_line_on_a_desktop(
    browser: Browser, base_url: str, agreement_id: int
) -> None:
    for page in _open(browser, base_url, "desktop"):
        sign_in(page, "manager")
        page.goto("/language/zh_Hans")
        expect(page.get_by_role("button", name="菜单")).to_be_hidden()
        groups = page.locator("#main-nav .group > a")
        expect(groups).to_have_count(7)
        tops = {round(box["y"]) for box in (g.bounding_box() for g in groups.all()) if box}
        assert len(tops) == 1  # one row
        language = page.locator(".languages a", has_text="简体中文")
        box = language.bounding_box()
        assert box is not None
        assert box["height"] < 30  # "简体中文" on one line, never split


def test_a_skip_link_leads_past_the_navigation(page: Page, agreement_id: int) -> None:
    sign_in(page, "manager")
    page.wait_for_load_state()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_terminating_asks_first_and_cancel_changes_nothing(page: Page, agreement_id: int) -> None:
    sign_in(page, "manager")
    page.goto(f"/agreements/{agreement_id}")
    page.get_by_text("Terminate the agreement").click()
    page.get_by_role("button", name="Terminate", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(f"Terminate the agreement {CODE}?")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.locator(".badge").first).not_to_have_text("Terminated")
    page.reload()
    expect(page.locator(".badge").first).not_to_have_text("Terminated")


def test_a_form_sent_back_with_errors_puts_the_focus_on_the_first(
    page: Page, agreement_id: int
) -> None:
    sign_in(page, "manager")
    page.goto("/parties/new")
    page.get_by_label("Code").fill("NOPE")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#name-error")).to_be_visible()
    expect(page.get_by_label("Name", exact=True)).to_be_focused()


def test_without_script_the_phone_shows_the_whole_navigation(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(
        base_url=base_url, viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, "manager")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.locator("#main-nav").get_by_role("link", name="Breaches")).to_be_visible()
    assert overflow(page) <= 0
    context.close()


def test_a_group_opens_its_pages_to_the_keyboard(page: Page) -> None:
    sign_in(page, "manager")
    page.wait_for_load_state()
    pages = page.locator("#main-nav li.group", has_text="Monitoring").locator(".pages")
    expect(pages).to_be_hidden()
    page.locator("#main-nav").get_by_role("link", name="Monitoring").focus()
    expect(pages).to_be_visible()
    page.keyboard.press("Tab")
    expect(pages.get_by_role("link", name="Tickets")).to_be_focused()
