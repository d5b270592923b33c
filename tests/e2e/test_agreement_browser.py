"""An SLA in a real browser: drafted as YAML (a mistake shown with its line), proposed,
approved, signed by the manager and by the customer's representative, and put in force."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.actions import go_to, press_and_confirm, sign_version
from tests.e2e.conftest import sign_in

DOCUMENT = """id: SLA-E2E
kind: SLA
title: {en: E-mail for Acme, zh-Hans: 阿克米邮件服务}
customer: ACME
services: [email]
term: {start: 2026-01-01, end: 2026-12-31}
calendars: {office: bj, always: 24x7}
clocks:
  resolution: {stop: {states: [Resolved]}}
targets:
  - {id: P1, clock: resolution, when: {priority: P1}, within: WITHIN,
     calendar: always, objective: 95%}
"""


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_an_sla_is_drafted_signed_by_both_sides_and_put_in_force(page: Page) -> None:
    sign_in(page, "manager")
    go_to(page, "Agreements")
    page.get_by_role("link", name="Draft an agreement").click()
    page.get_by_role("link", name="Advanced (YAML)").click()
    page.get_by_label("Document (YAML)").fill(DOCUMENT.replace("WITHIN", "soon"))
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#document-error")).to_contain_text("line 11:")
    page.get_by_label("Document (YAML)").fill(DOCUMENT.replace("WITHIN", "4h"))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=re.compile("E-mail for Acme"))).to_be_visible()

    for step in ("Propose", "Approve"):
        page.get_by_role("button", name=step, exact=True).click()
        expect(page.get_by_role("button", name=step, exact=True)).to_have_count(0)
    sign_version(page)
    sign_out(page)

    sign_in(page, "acme")
    go_to(page, "Agreements")
    page.get_by_role("link", name="SLA-E2E").click()
    sign_version(page)
    expect(page.locator(".badge").first).to_have_text("Signed")
    sign_out(page)

    sign_in(page, "manager")
    page.goto("/agreements")
    page.get_by_role("link", name="SLA-E2E").click()
    press_and_confirm(page, "Put in force")
    expect(page.locator(".badge").first).to_have_text(re.compile("Active|Expiring|Expired"))
    page.get_by_role("banner").get_by_role("link", name="简体中文").click()
    expect(page.get_by_role("heading", name=re.compile("阿克米邮件服务"))).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="简体中文").click()
    expect(page.get_by_role("heading", name="八、签署")).to_be_visible()  # the SLA document
