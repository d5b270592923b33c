"""The agreement page's negotiation comments pick their clause from a list of the version's
clauses by name, an invented clause is refused naming it; the diff of two versions reads in
words in each language (budgets, percentages, calendars), the files line by line kept under
Advanced."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.db.models import Agreement
from servicelevel.services.agreements import authoring
from servicelevel.services.agreements import reading as agreements
from servicelevel.services.identity.permissions import Actor
from tests.integration.agreement_fixtures import everyone
from tests.integration.factories import World
from tests.integration.services.agreements.test_agreement_diff import named_sla
from tests.integration.services.agreements.test_agreements import step
from tests.integration.web.page_words import codes_on, english_on, read_page
from tests.integration.web.test_pages import csrf_of, sign_in

# Words of the data these pages show (what people typed), as the demo-wide scan counts them.
DATA = {"E", "mail", "for", "Acme", "IT", "ACME", "email", "erp", "bj", "manager"}


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


@pytest.fixture
def proposed(session: Session, actors: dict[str, Actor]) -> Agreement:
    made = authoring.create_agreement(session, actor=actors["admin"], document=named_sla())
    session.flush()
    step(session, actors, made, "admin", "propose")
    session.flush()
    return made


def options(page: str) -> list[tuple[str, str]]:
    select = re.search(r'<select id="f-clause" name="clause">(.*?)</select>', page, re.S)
    assert select, "no clause list on the page"
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', select.group(1))


def comments_of(page: str) -> str:
    found = re.search(r'<ul class="comments">(.*?)</ul>', page, re.S)
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    ("lang", "whole", "p1", "p2"),
    [
        (
            "en",
            "The whole agreement",
            "P1 incidents resolved within 4 hours",
            "Resolution within 8 h: Priority is P2",
        ),
        ("zh_Hans", "整个协议", "P1 事件 4 小时内解决", "解决时限 8 小时：优先级为 P2"),
        ("zh_Hant", "整個協議", "P1 事件 4 小時內解決", "解決時限 8 小時：優先級為 P2"),
    ],
)
def test_the_comment_form_lists_the_versions_clauses_by_name(
    client: TestClient, proposed: Agreement, lang: str, whole: str, p1: str, p2: str
) -> None:
    sign_in(client, "customer_rep")
    client.cookies.set("slm_lang", lang)
    listed = dict(options(client.get(f"/agreements/{proposed.id}").text))
    assert listed[""] == whole
    assert listed["targets.P1-resolution"] == p1
    assert listed["targets.P2-resolution"] == p2
    assert {"term", "availability.email-up", "credits.email-credit"} <= set(listed)
    assert not any("." in label and "targets" in label for label in listed.values())
    if lang != "en":  # no English but the data (the provider's and the services' names)
        shown = " ".join(listed.values())
        assert english_on(read_page("/", f'<html lang="zh"><p>{shown}</p>'), DATA) == []


def test_a_comment_shows_its_clause_by_name_and_an_invented_clause_is_refused(
    client: TestClient, proposed: Agreement
) -> None:
    sign_in(client, "customer_rep")
    url = f"/agreements/{proposed.id}"
    post = f"{url}/versions/1/comments"
    page = client.get(url).text
    r = client.post(
        post, data={"clause": "targets.P9-nothing", "body": "And this?", "csrf": csrf_of(page)}
    )
    assert r.status_code == 422
    assert "targets.P9-nothing is not a clause of this version: choose one from the list" in r.text
    assert "And this?" not in comments_of(r.text)
    r = client.post(
        post, data={"clause": "targets.P1-resolution", "body": "Faster?", "csrf": csrf_of(page)}
    )
    assert r.status_code == 200, r.text
    listed = comments_of(r.text)
    assert "Faster?" in listed
    assert "P1 incidents resolved within 4 hours" in listed
    assert "targets.P1-resolution" not in listed


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"clause": "term.x", "body": "Hm"}, "clause", "term.x 不是此版本的条款：请从列表中选择"),
        ({"clause": "term", "body": "  "}, "body", "请填写意见：内容为空"),
    ],
)
def test_a_refused_comment_is_explained_beside_its_field_in_chinese(
    client: TestClient, proposed: Agreement, data: dict[str, str], field: str, message: str
) -> None:
    sign_in(client, "customer_rep")
    client.cookies.set("slm_lang", "zh_Hans")
    page = client.get(f"/agreements/{proposed.id}").text
    r = client.post(
        f"/agreements/{proposed.id}/versions/1/comments", data={**data, "csrf": csrf_of(page)}
    )
    assert r.status_code == 422
    beside = re.search(rf'<span class="field-error" id="f-{field}-error">([^<]*)</span>', r.text)
    assert beside, r.text
    assert beside.group(1) == message
    assert f'aria-describedby="f-{field}-error"' in r.text
    assert "body" not in beside.group(1)


def second_version(session: Session, actors: dict[str, Actor], a: Agreement) -> None:
    made = authoring.new_version(
        session, actor=actors["admin"], agreement_id=a.id, version=a.version, note="faster"
    )
    session.flush()
    doc = agreements.export_document(session, actor=actors["admin"], agreement_id=a.id, number=2)
    doc["targets"][0].update(within="2h", objective=0.98, calendar="business")
    doc["credits"] = []
    authoring.edit_version(
        session,
        actor=actors["admin"],
        agreement_id=a.id,
        number=2,
        version=made.version,
        document=doc,
    )
    session.flush()


@pytest.mark.parametrize(
    ("lang", "before", "after"),
    [
        ("en", ["4 h", "Around the clock (24×7)", "95%"], ["2 h", "bj", "98%"]),
        ("zh_Hans", ["4 小时", "全天候（7×24 小时）", "95%"], ["2 小时", "bj", "98%"]),
        ("zh_Hant", ["4 小時", "全天候（7×24 小時）", "95%"], ["2 小時", "bj", "98%"]),
    ],
)
def test_the_diff_page_reads_in_words_side_by_side(
    client: TestClient,
    session: Session,
    actors: dict[str, Actor],
    proposed: Agreement,
    lang: str,
    before: list[str],
    after: list[str],
) -> None:
    second_version(session, actors, proposed)
    sign_in(client, "manager")
    client.cookies.set("slm_lang", lang)
    page = client.get(f"/agreements/{proposed.id}/diff?old=1&new=2")
    assert page.status_code == 200
    rows = re.findall(r'<td class="before">([^<]*)</td><td class="after">([^<]*)</td>', page.text)
    assert list(zip(before, after, strict=True)) == rows[:3]
    assert "targets." not in page.text
    assert re.search(r"<details[^>]*>\s*<summary>[^<]*</summary>\s*<pre class=\"diff\">", page.text)
    assert "+    within: 2h" in page.text or "+  within: 2h" in page.text
    read = read_page("/diff", page.text)
    assert read.lang == lang.replace("_", "-")
    assert codes_on(read, DATA) == []
    assert english_on(read, DATA) == []


def test_the_diff_page_words_clock_rules_fees_and_credit_tiers_in_chinese(
    client: TestClient, session: Session, actors: dict[str, Actor], proposed: Agreement
) -> None:
    made = authoring.new_version(
        session, actor=actors["admin"], agreement_id=proposed.id, version=proposed.version
    )
    session.flush()
    doc = agreements.export_document(
        session, actor=actors["admin"], agreement_id=proposed.id, number=2
    )
    doc["clocks"]["resolution"]["pause"] = {"states": ["Awaiting Customer", "Awaiting Supplier"]}
    doc["fee"] = {"amount": 12000, "currency": "CNY", "per": "quarter"}
    doc["credits"][0]["tiers"] = [{"below": "99.9%", "credit": "10%"}]
    authoring.edit_version(
        session,
        actor=actors["admin"],
        agreement_id=proposed.id,
        number=2,
        version=made.version,
        document=doc,
    )
    session.flush()
    sign_in(client, "manager")
    client.cookies.set("slm_lang", "zh_Hans")
    page = client.get(f"/agreements/{proposed.id}/diff?old=1&new=2").text
    rows = re.findall(
        r'<tr><th scope="row">([^<]*)</th><td class="before">([^<]*)</td>'
        r'<td class="after">([^<]*)</td></tr>',
        page,
    )
    assert (
        "解决",
        "暂停计时：等待客户；停止计时：已解决、已关闭",
        "暂停计时：等待客户、等待供应商；停止计时：已解决、已关闭",
    ) in rows
    assert ("金额", "—", "12,000") in rows
    assert ("每", "—", "每季度") in rows
    assert ("档位", "低于 99.9% → 5%", "低于 99.9% → 10%") in rows
    assert "服务赔偿：email 的可用性" in page
    read = read_page("/diff", page)
    assert codes_on(read, DATA) == []
    assert english_on(read, DATA | {"CNY"}) == []


@pytest.mark.parametrize(
    ("lang", "review", "before", "after"),
    [("en", "Review", "Quarterly", "Monthly"), ("zh_Hant", "評審", "每季度", "每月")],
)
def test_the_diff_page_says_which_settings_belong_to_the_agreement_and_no_version(
    client: TestClient,
    session: Session,
    actors: dict[str, Actor],
    proposed: Agreement,
    lang: str,
    review: str,
    before: str,
    after: str,
) -> None:
    sign_in(client, "manager")
    client.cookies.set("slm_lang", lang)
    settings = r'<section class="card" id="unversioned">(.*?)</section>'
    first = re.search(
        settings, client.get(f"/agreements/{proposed.id}/diff?old=1&new=1").text, re.S
    )
    assert first, "the diff does not say which settings no version carries"
    assert re.search(rf"<dt>{review}</dt><dd>{before}</dd>", first.group(1))
    made = authoring.new_version(
        session, actor=actors["admin"], agreement_id=proposed.id, version=proposed.version
    )
    session.flush()
    doc = agreements.export_document(
        session, actor=actors["admin"], agreement_id=proposed.id, number=2
    )
    doc["review"] = "monthly"  # changed on the agreement: every version's file says monthly
    authoring.edit_version(
        session,
        actor=actors["admin"],
        agreement_id=proposed.id,
        number=2,
        version=made.version,
        document=doc,
    )
    session.flush()
    page = client.get(f"/agreements/{proposed.id}/diff?old=1&new=2").text
    found = re.search(settings, page, re.S)
    assert found
    assert re.search(rf"<dt>{review}</dt><dd>{after}</dd>", found.group(1))
    assert f"<h3>{review} " not in page  # not a changed clause: both versions say the same
    read = read_page("/diff", page)
    assert codes_on(read, DATA) == []
    assert english_on(read, DATA) == []
