"""The pages changed for issue 13 as a Chinese reader sees them: the overdue flag and durations,
the YAML forms' refusals, the account page and the portfolio in the reader's language, with
no code or English message where the catalogs have words."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.factories import PASSWORD, World
from tests.integration.services.monitoring.test_open_tickets import three_tickets
from tests.integration.web.test_pages import csrf_of, sign_in

ALIASES = "kind: SLA\nid: &c SLA-X\ntitle: *c\n"


def in_chinese(client: TestClient, locale: str = "zh_Hans") -> None:
    client.cookies.set("slm_lang", locale)


def test_an_overdue_open_ticket_says_how_long_ago_in_chinese(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    three_tickets(session, world, sla_in_force)
    sign_in(client, "customer_rep")
    in_chinese(client)
    page = client.get(f"/agreements/{sla_in_force}").text
    table = page.split("未完结工单（最紧急的在前）", 1)[1].split("</table>", 1)[0]
    assert table.count('class="overdue"') == 2
    assert re.search(r"已超时 \d+ 天( \d+ 小时)?", table), table
    assert not re.search(r"\d[dhms]\b", table)  # no 3d 4h in a Chinese table
    assert "<th></th>" not in page  # every column has a header (the month's last one too)


def test_a_calendar_without_working_time_is_refused_in_chinese(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    in_chinese(client, "zh_Hant")
    definition = "name: Never\ntimezone: Europe/Berlin\nhours: {}\n"
    page = client.post(
        "/calendars/new", data={"code": "never", "csrf": csrf, "definition": definition}
    )
    assert page.status_code == 422
    error = page.text.split('id="definition-error">', 1)[1].split("</span>", 1)[0]
    assert error.startswith("第 3 行：hours：此日曆沒有任何工作時間")
    assert "working time" not in error


def test_a_refused_yaml_alias_is_explained_in_chinese_with_line_and_column(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    in_chinese(client)
    page = client.post("/agreements/new", data={"document": ALIASES, "csrf": csrf})
    assert page.status_code == 422
    assert "第 2 行：第 5 列：YAML 格式错误：不接受锚点和别名" in page.text
    assert "anchors and aliases" not in page.text


def test_a_message_quoting_braces_typed_in_a_calendar_is_shown_not_a_server_error(
    client: TestClient, world: World
) -> None:
    csrf = sign_in(client, "manager")
    definition = 'timezone: Europe/Berlin\nhours:\n  "x{y}": [09:00-17:00]\n'
    for locale in ("en", "zh_Hans"):
        in_chinese(client, locale)
        page = client.post(
            "/calendars/new", data={"code": "braces", "csrf": csrf, "definition": definition}
        )
        assert page.status_code == 422, page.text
        assert "x{y}" in page.text


def test_the_account_page_names_roles_in_words_and_says_other_sessions_ended(
    client: TestClient, world: World
) -> None:
    sign_in(client, "manager")
    in_chinese(client)
    page = client.get("/account").text
    assert "manager · 服务级别经理" in page
    assert "service_level_manager" not in page
    form = {
        "old_password": PASSWORD,
        "new_password": "another good password",
        "confirm": "another good password",
        "csrf": csrf_of(page),
    }
    in_chinese(client, "en")
    done = client.post("/account/password", data=form)
    assert done.status_code == 200
    assert "your other sessions and API tokens have ended" in done.text


def test_the_portfolio_shows_titles_in_the_readers_language_and_heads_columns_apart(
    client: TestClient, world: World, sla_in_force: int
) -> None:
    sign_in(client, "manager")
    in_chinese(client)
    health = client.get("/portfolio").text.split('id="health"', 1)[1].split("</table>", 1)[0]
    assert "阿克米邮件服务" in health
    assert "E-mail for Acme" not in health
    # the breached targets and the breach records are headed apart (were both 违约)
    assert health.count("<th>违约</th>") == 1
    assert "<th>违约记录</th>" in health
