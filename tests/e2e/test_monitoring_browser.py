"""Monitoring in a real browser: a breach found by recomputation is excluded by the manager
with a reason (a missing reason is refused on the page), and a WeCom channel is added to the
notification channels (a bad address refused first)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from servicelevel.db.repositories import parties as party_repo
from servicelevel.demo.agreements import put_in_force
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute
from servicelevel.services.shared.uow import unit_of_work
from tests.e2e.actions import confirm, go_to
from tests.e2e.conftest import PASSWORD, add_resolved_ticket, sign_in

DOCUMENT = {
    "id": "SLA-MON",
    "kind": "SLA",
    "title": "Monitored e-mail",
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


def _in_force_with_a_breach(url: str) -> None:
    with unit_of_work(url) as db:
        made = agreements.create_agreement(db, actor=SYSTEM, document=DOCUMENT)
        db.flush()
        signers = [
            identity.authenticate(db, username=name, password=PASSWORD)
            for name in ("manager", "acme")
        ]
        put_in_force(db, made, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), signers)
        customer = party_repo.party_by_code(db, "ACME")
        assert customer is not None
        opened = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
        add_resolved_ticket(db, customer.id, "INC-LATE", opened, 6)
        db.flush()
        recompute.recompute(db, agreement_id=made.id)


def test_a_manager_excludes_a_breach_and_adds_a_channel(page: Page, database_url: str) -> None:
    _in_force_with_a_breach(database_url)
    sign_in(page, "manager")
    go_to(page, "Breaches")
    row = page.locator("tr", has_text="INC-LATE")
    expect(row).to_contain_text("2 h")  # six hours against a four-hour budget
    row.get_by_role("button", name="Exclude").click()
    confirm(page)
    expect(page.get_by_role("alert")).to_contain_text("say why the breach is excluded")
    row = page.locator("tr", has_text="INC-LATE")
    row.get_by_label("Why it is excluded").fill("the customer asked us to wait")
    row.get_by_role("button", name="Exclude").click()
    confirm(page)
    expect(page.locator("tr", has_text="INC-LATE")).to_contain_text(
        "Excluded: the customer asked us to wait"
    )

    go_to(page, "Notifications")
    page.get_by_label("Name", exact=True).fill("ops-wecom")
    page.get_by_label("Kind").select_option("wecom")
    page.get_by_label("Email address or webhook URL").fill("not a url")
    page.get_by_role("button", name="Add the channel").click()
    expect(page.locator("#address-error")).to_contain_text("http or https URL")
    page.get_by_label("Email address or webhook URL").fill(
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k"
    )
    page.get_by_label("Time zone").fill("Asia/Shanghai")
    page.get_by_role("button", name="Add the channel").click()
    expect(page.locator("table").first).to_contain_text("ops-wecom")
    expect(page.locator("table").first).to_contain_text("WeCom")
