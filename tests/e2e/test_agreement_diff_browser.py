"""The negotiation pages in the browser: a proposed second version's comment form (its clause
list) and the diff of the two versions with its Advanced line-by-line view open, in English,
简体中文 and 繁體中文 at 1440 px and 390 px — nothing wider than the window, no serious or
critical axe-core violation, and the comment's clause picked by name."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from servicelevel.demo.agreements import put_in_force
from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.agreements import lifecycle as agreement_lifecycle
from servicelevel.services.identity import accounts as identity
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.shared.uow import unit_of_work
from tests.e2e.conftest import PASSWORD, sign_in
from tests.e2e.test_layout_browser import DOCUMENT, LANGUAGES, WIDTHS, overflow, serious_violations

CODE = "SLA-NEGOTIATED"
NAMES = {
    "en": "P1 incidents fixed within 4 hours",
    "zh-Hans": "P1 事件 4 小时内修复",
    "zh-Hant": "P1 事件 4 小時內修復",
}


@pytest.fixture(scope="module")
def negotiated(database_url: str) -> int:
    """An SLA in force whose second version (P1 in 2 h at 98%, a P2 target) is proposed."""
    document: dict[str, Any] = copy.deepcopy(DOCUMENT)
    document.update(id=CODE)
    document["targets"][0]["name"] = NAMES
    with unit_of_work(database_url) as db:
        made = agreements.create_agreement(db, actor=SYSTEM, document=document)
        db.flush()
        signers = [
            identity.authenticate(db, username=name, password=PASSWORD)
            for name in ("manager", "acme")
        ]
        put_in_force(db, made, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), signers)
        db.flush()
        second = agreements.new_version(
            db, actor=SYSTEM, agreement_id=made.id, version=made.version
        )
        db.flush()
        changed: dict[str, Any] = copy.deepcopy(document)
        changed["targets"][0].update(within="2h", objective="98%")
        changed["targets"].append(
            {**changed["targets"][0], "id": "P2-fix", "name": "", "when": {"priority": "P2"}}
        )
        agreements.edit_version(
            db,
            actor=SYSTEM,
            agreement_id=made.id,
            number=2,
            version=second.version,
            document=changed,
        )
        db.flush()
        agreement_lifecycle.advance(
            db, actor=SYSTEM, agreement_id=made.id, number=2, version=second.version, step="propose"
        )
        return made.id


def _page(browser: Browser, base_url: str, width: str) -> Iterator[Page]:
    w, h = WIDTHS[width]
    context = browser.new_context(base_url=base_url, viewport={"width": w, "height": h})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(params=list(WIDTHS))
def sized_page(request: pytest.FixtureRequest, browser: Browser, base_url: str) -> Iterator[Page]:
    yield from _page(browser, base_url, request.param)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_comment_form_and_the_diff_fit_the_window_and_pass_axe(
    sized_page: Page, negotiated: int, language: str
) -> None:
    page = sized_page
    sign_in(page, "acme")
    page.goto(f"/language/{language}")
    problems: list[str] = []
    for url in (
        f"/agreements/{negotiated}?version=2",
        f"/agreements/{negotiated}/diff?old=1&new=2",
    ):
        response = page.goto(url)
        assert response is not None
        assert response.status == 200, url
        for summary in page.locator("details > summary").all():
            summary.click()  # the Advanced view open too
        wider = overflow(page)
        if wider > 0:
            problems.append(f"{url}: {wider} px wider than the window")
        problems += [f"{url}: {v}" for v in serious_violations(page)]
    assert problems == []


def test_a_customer_comments_on_a_target_picked_by_its_name(page: Page, negotiated: int) -> None:
    sign_in(page, "acme")
    page.goto("/language/en")
    page.goto(f"/agreements/{negotiated}?version=2")
    page.get_by_label("Clause", exact=True).select_option(label="P1 incidents fixed within 4 hours")
    page.get_by_label("Comment", exact=True).fill("Two hours is what we need")
    page.get_by_role("button", name="Add the comment").click()
    comments = page.locator("ul.comments")
    expect(comments).to_contain_text("Clause: P1 incidents fixed within 4 hours")
    expect(comments).to_contain_text("Two hours is what we need")
    page.goto(f"/agreements/{negotiated}/diff?old=1&new=2")
    expect(
        page.get_by_role("heading", name="Resolution within 2 h: Priority is P2")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="2 h", exact=True).first).to_be_visible()
