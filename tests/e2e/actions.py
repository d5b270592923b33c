"""What a person does in the browser beyond one click: reach a page through the grouped
navigation, answer the confirmation dialog, sign a version with the password."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD


def go_to(page: Page, name: str) -> None:
    """Open the page called ``name`` from the main navigation: its group opens on hover (and
    on focus), as a user sees it (a group that is a single page is its own link)."""
    named = re.compile(rf"^\s*{re.escape(name)}\s*$")
    link = page.locator("#main-nav .pages a", has_text=named)
    single = page.locator("#main-nav .group > a", has_text=named)
    single.or_(link).first.wait_for(state="attached")  # the page (and its navigation) loaded
    if link.count() == 0:
        single.click()
        return
    group = page.locator("#main-nav li.group", has=page.locator(".pages a", has_text=named))
    group.locator("> a").focus()  # the group stays open while the pointer moves to its page
    group.hover()
    link.click()


def confirm(page: Page) -> None:
    """Say yes in the confirmation dialog that a destructive or binding button opened."""
    dialog = page.locator("dialog#confirm")
    expect(dialog).to_be_visible()
    dialog.locator("#confirm-ok").click()


def press_and_confirm(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()
    confirm(page)


def sign_version(page: Page, password: str = PASSWORD) -> None:
    """Sign the version shown: the password again, the sign button, then yes."""
    page.get_by_label("Your password, to confirm it is you").fill(password)
    page.get_by_role("button", name=re.compile(r"^Sign version \d+$")).click()
    confirm(page)
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Version \d+ is signed\."))
