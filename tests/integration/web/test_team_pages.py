"""The Teams page (issue 16): each team's month for the provider's own people, in words in
every language, its breaches a link to the Breaches page filtered to the team; a customer's
representative is refused."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.factories import World
from tests.integration.team_fixtures import MONTH, march_of_two_teams
from tests.integration.web.page_words import codes_on, english_on, read_page
from tests.integration.web.test_pages import sign_in

DATA = {"network", "service", "desk", "OLA", "manager"}  # teams the tickets named; a user name


def test_a_manager_reads_each_team_s_month_and_follows_its_breaches(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    ola_id = march_of_two_teams(session, world, sla_in_force)
    sign_in(client, "manager")
    assert 'href="/teams"' in client.get("/").text  # from the dashboard
    page = client.get(f"/teams?period={MONTH}").text
    rows = re.findall(r'<tr id="team-\d+">(.*?)</tr>', page, re.S)
    names = [re.findall(r'<td class="name">([^<]+)</td>', r) for r in rows]
    assert names == [["network"], ["service-desk"]]
    network, desk = rows
    assert f'href="/agreements/{ola_id}">OLA-1</a>' in network
    assert "66.7%" in network
    link = f'href="/breaches?team=network&amp;period={MONTH}">2</a>'
    assert link in network
    assert f'href="/breaches?team=service-desk&amp;period={MONTH}">1</a>' in desk
    listed = client.get(f"/breaches?team=network&period={MONTH}").text
    assert "Held by network when breached" in listed
    assert sorted(set(re.findall(r'id="breach-\d+">.*?>(SLOW|LATE|HANDED)</a>', listed, re.S))) == [
        "SLOW"
    ]


def test_the_teams_page_has_words_not_codes_in_chinese(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    march_of_two_teams(session, world, sla_in_force)
    sign_in(client, "manager")
    for locale, word in (("zh_Hans", "转交给该团队的工单"), ("zh_Hant", "轉交給該團隊的工單")):
        client.cookies.set("slm_lang", locale)
        answer = client.get(f"/teams?period={MONTH}")
        assert word in answer.text
        page = read_page("/teams", answer.text)
        assert english_on(page, DATA) == []
        assert codes_on(page, DATA) == []
    wrong = client.get("/teams?period=March")
    assert wrong.status_code == 422
    assert "期間須為 YYYY-MM 格式的月份" in wrong.text


def test_a_customer_representative_is_refused_the_teams(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    march_of_two_teams(session, world, sla_in_force)
    sign_in(client, "customer_rep")
    assert 'href="/teams"' not in client.get("/breaches").text
    assert client.get("/teams").status_code == 403
    refused = client.get("/breaches?team=network")
    assert refused.status_code == 403
    assert "network" not in refused.text
