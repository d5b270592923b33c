"""The whole SLM1–SLM3 path in a real browser: a service approved and published, the work item
it raises, a requirement beyond the catalog and its change request, an SLA drafted, negotiated
over two versions, signed by both sides and put in force, and an OLA and a UC linked to it with
the inconsistency shown."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.actions import press_and_confirm, sign_version
from tests.e2e.conftest import sign_in

SLA = """id: SLA-PATH
kind: SLA
title: {en: Service desk for Acme, zh-Hans: 阿克米服务台}
customer: ACME
services: [desk]
term: {start: 2026-01-01, end: 2026-12-31}
calendars: {office: bj, always: 24x7}
clocks:
  resolution: {stop: {states: [Resolved]}}
targets:
  - {id: P1, clock: resolution, when: {priority: P1}, within: 4h, calendar: always,
     objective: 95%}
"""


def press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def sign_out(page: Page) -> None:
    press(page, "Sign out")


def open_agreement(page: Page, code: str) -> None:
    page.goto("/agreements")
    page.get_by_role("link", name=code, exact=True).click()


def draft(page: Page, text: str) -> None:
    page.goto("/agreements/new")
    page.get_by_label("Document (YAML)").fill(text)
    press(page, "Save")


def test_the_slm_path_in_the_browser(page: Page) -> None:
    sign_in(page, "manager")
    # SLM1: the service, its option, approval and publication; the work item it raises
    page.goto("/services/new")
    page.get_by_label("Code").fill("desk")
    page.get_by_label("Name", exact=True).fill("Service desk")
    page.get_by_label("Service hours").select_option(label="Beijing office")
    press(page, "Save")
    page.get_by_role("link", name="Edit the options").click()
    for label, value in (
        ("Code 1", "gold"),
        ("Name 1", "Gold"),
        ("Option 1", "gold"),
        ("Priority 1", "P1"),
        ("Within 1", "4h"),
        ("Objective 1", "95"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Metric 1", exact=True).select_option("resolution")
    press(page, "Save")
    press(page, "Approve")
    press(page, "Publish")
    expect(page.locator(".badge")).to_have_text("Published")
    page.goto("/work")
    expect(page.get_by_role("row", name=re.compile("Define the SLA.*Service desk"))).to_be_visible()

    # SLM2: a requirement beyond the catalog raises a change request
    page.goto("/requirements/new")
    page.get_by_label("Code").fill("SLR-PATH")
    page.get_by_label("Customer").select_option(label="Acme Corp")
    page.get_by_label("Service", exact=True).select_option(label="Service desk")
    page.get_by_label("Title").fill("P1 fixed within two hours")
    page.get_by_label("Metric 1", exact=True).select_option("resolution")
    page.get_by_label("Priority 1", exact=True).fill("P1")
    page.get_by_label("Within 1", exact=True).fill("2h")
    page.get_by_label("Objective 1", exact=True).fill("99")
    press(page, "Save")
    press(page, "Analyse against the catalog")
    expect(page.get_by_text("Exceeds the catalog")).to_be_visible()
    expect(
        page.get_by_role("heading", name=re.compile("Extend the service levels of desk"))
    ).to_be_visible()

    # SLM3: drafted, proposed; the customer comments
    draft(page, SLA)
    press(page, "Propose")
    sign_out(page)
    sign_in(page, "acme")
    open_agreement(page, "SLA-PATH")
    page.get_by_label("Clause", exact=True).select_option(
        label="Resolution within 4 h: Priority is P1"
    )
    page.get_by_label("Comment", exact=True).fill("We need it within 3 hours")
    press(page, "Add the comment")
    expect(page.get_by_text("We need it within 3 hours")).to_be_visible()
    sign_out(page)

    # a second version answers it; approved and signed by both sides; in force
    sign_in(page, "manager")
    open_agreement(page, "SLA-PATH")
    press_and_confirm(page, "Start a new version")
    page.get_by_role("link", name="Advanced (YAML)").click()
    text = page.get_by_label("Document (YAML)").input_value()
    page.get_by_label("Document (YAML)").fill(text.replace("within: 4h", "within: 3h"))
    press(page, "Save")
    for step in ("Propose", "Approve"):
        press(page, step)
    sign_version(page)
    sign_out(page)
    sign_in(page, "acme")
    open_agreement(page, "SLA-PATH")
    sign_version(page)
    sign_out(page)
    sign_in(page, "manager")
    open_agreement(page, "SLA-PATH")
    press_and_confirm(page, "Put in force")
    expect(page.locator(".badge").first).to_have_text(re.compile("Active|Expiring"))
    page.goto(page.url.split("?")[0] + "/diff?old=1&new=2")
    changed = page.get_by_role("heading", name=re.compile("Resolution within 4 h: Priority is P1"))
    expect(changed).to_be_visible()
    expect(page.get_by_role("cell", name="3 h", exact=True)).to_be_visible()

    # an OLA and a UC underpin it; the UC ends first — shown on the SLA
    ola = SLA.replace("SLA-PATH", "OLA-PATH").replace("kind: SLA", "kind: OLA")
    draft(page, ola.replace("customer: ACME", "internal_team: NETOPS").replace("4h", "3h"))
    uc = SLA.replace("SLA-PATH", "UC-PATH").replace("kind: SLA", "kind: UC")
    uc = uc.replace("customer: ACME", "supplier: CLOUD").replace("4h", "3h")
    draft(page, uc.replace("end: 2026-12-31", "end: 2026-06-30"))
    open_agreement(page, "SLA-PATH")
    for code in ("OLA-PATH", "UC-PATH"):
        page.get_by_label("Underpinned by").select_option(label=f"{code} · {code.split('-')[0]}")
        press(page, "Link")
    expect(page.locator(".findings")).to_contain_text("Ends earlier")
    expect(page.locator(".findings")).to_contain_text("UC-PATH ends on 2026-06-30")
