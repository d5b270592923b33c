"""The SLM5 cycle in a real browser: a review scheduled for an SLA → its agenda filled with
the period's breach and published report → participants, minutes and an action → an
improvement plan raised from the action → the plan's own action done → its before/after
table and chart show the change (February 2 of 3 within target, after the plan 2 of 2)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from servicelevel.db.repositories import parties as party_repo
from servicelevel.demo.agreements import put_in_force
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.accounts import RoleGrant
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute
from servicelevel.services.reporting import snapshots as report_snapshots
from servicelevel.services.shared.uow import unit_of_work
from tests.e2e.actions import go_to
from tests.e2e.conftest import PASSWORD, add_resolved_ticket, sign_in

UTC = dt.UTC
DOCUMENT = {
    "id": "SLA-REV",
    "kind": "SLA",
    "title": "Reviewed e-mail",
    "customer": "GLOBEX",
    "services": ["email"],
    "review": "quarterly",
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
            "objective": "90%",
        }
    ],
}
TICKETS = (  # number, opened, hours to resolve
    ("REV-A", dt.datetime(2026, 2, 3, 1, tzinfo=UTC), 1),
    ("REV-B", dt.datetime(2026, 2, 4, 1, tzinfo=UTC), 2),
    ("REV-C", dt.datetime(2026, 2, 5, 1, tzinfo=UTC), 7),
    ("REV-D", dt.datetime(2026, 4, 3, 1, tzinfo=UTC), 1),
    ("REV-E", dt.datetime(2026, 4, 4, 1, tzinfo=UTC), 3),
)


def _sla_with_history(url: str) -> None:
    with unit_of_work(url) as db:
        made = agreements.create_agreement(db, actor=SYSTEM, document=DOCUMENT)
        grant = RoleGrant("customer_representative", "GLOBEX")
        identity.create_user(db, actor=SYSTEM, username="globex", password=PASSWORD, roles=[grant])
        db.flush()
        signers = [
            identity.authenticate(db, username=name, password=PASSWORD)
            for name in ("manager", "globex")
        ]
        put_in_force(db, made, dt.datetime(2026, 1, 1, tzinfo=UTC), signers)
        customer = party_repo.party_by_code(db, "GLOBEX")
        assert customer is not None
        for number, opened, hours in TICKETS:
            add_resolved_ticket(db, customer.id, number, opened, hours)
        db.flush()
        recompute.recompute(db, agreement_id=made.id)
        report_snapshots.publish(db, actor=SYSTEM, agreement_id=made.id, period="2026-02")


def test_the_review_cycle_in_the_browser(page: Page, database_url: str) -> None:
    _sla_with_history(database_url)
    sign_in(page, "manager")
    go_to(page, "Reviews")
    form = page.locator('form[action="/reviews"]')
    form.locator('select[name="agreement_id"]').select_option(label="SLA-REV · Reviewed e-mail")
    form.locator('input[name="day"]').fill("2026-03-10")
    form.locator('input[name="period_start"]').fill("2026-02-01")
    form.locator('input[name="period_end"]').fill("2026-03-01")
    form.get_by_role("button", name="Schedule").click()

    expect(page.locator("h1")).to_contain_text("Review of SLA-REV")
    expect(page.locator("#period")).to_have_text("Feb 1, 2026 – Feb 28, 2026")
    expect(page.locator("#agenda-breaches")).to_contain_text("REV-C")
    expect(page.locator("#agenda-reports")).to_contain_text("2026-02")
    expect(page.locator("#agenda svg.chart")).to_have_count(1)
    expect(page.locator("table.trend")).to_contain_text("2 / 1")

    page.get_by_label("Add someone").fill("Li Wei")
    page.locator('select[name="new_role"]').select_option("incident_manager")
    page.get_by_role("button", name="Save participants").click()
    expect(page.locator("#participants")).to_contain_text("Incident manager")

    minutes = page.locator("#minutes")
    minutes.get_by_role("button", name="Record the minutes").click()  # empty: refused
    expect(page.get_by_role("alert")).to_be_visible()
    minutes = page.locator("#minutes")
    minutes.get_by_label("Minutes", exact=True).fill("REV-C missed the four hours in February.")
    minutes.get_by_label("Decisions (one a line)").fill("Staff a night shift")
    minutes.get_by_label("Outcome").select_option("improve")
    minutes.get_by_role("button", name="Record the minutes").click()
    expect(page.locator("#minutes")).to_contain_text("Improvement needed")
    expect(page.locator("h1")).to_contain_text("Held")

    actions = page.locator("#actions")
    actions.get_by_label("What is to be done").fill("Staff a night shift")
    actions.get_by_label("Owner").fill("Ops lead")
    actions.get_by_label("Due").fill("2026-03-31")
    actions.get_by_role("button", name="Add the action").click()
    row = page.locator("#actions tr", has_text="Staff a night shift")
    row.get_by_label("Plan code").fill("SIP-NIGHT")
    row.get_by_role("button", name="Raise an improvement plan").click()

    expect(page.locator("h1")).to_contain_text("SIP-NIGHT")
    expect(page.locator("#plan-status")).to_have_text("Proposed")
    page.get_by_label("Started on (empty: today)").fill("2026-04-01")
    page.get_by_role("button", name="Start the plan").click()
    expect(page.locator("#plan-status")).to_have_text("In progress")
    actions = page.locator("#actions")
    actions.get_by_label("What is to be done").fill("Roster the night shift")
    actions.get_by_label("Owner").fill("Ops lead")
    actions.get_by_label("Due").fill("2026-04-15")
    actions.get_by_role("button", name="Add the action").click()
    expect(page.locator("#progress")).to_have_text("0%")
    page.locator("#actions tr", has_text="Roster the night shift").get_by_role(
        "button", name="Mark done"
    ).click()
    # the plan also carries the review's action it was raised from: one of two done
    expect(page.locator("#progress")).to_have_text("50%")
    page.locator("#actions tr", has_text="Staff a night shift").get_by_role(
        "button", name="Mark done"
    ).click()
    expect(page.locator("#progress")).to_have_text("100%")

    effect = page.locator("table.effect")
    expect(effect.locator("tr", has_text="Before the plan")).to_contain_text("2 / 1")
    expect(effect.locator("tr", has_text="Since the plan")).to_contain_text("2 / 0")
    expect(effect.locator("td.after")).to_have_text("100%")
    expect(page.locator("#effect svg .marker")).to_have_count(1)
