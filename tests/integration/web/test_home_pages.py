"""Each role's home: the manager's dashboard figures lead to the filtered ticket queue with the
same counts; a representative's home shows their own agreements and tickets only."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.factories import World
from tests.integration.queue_fixtures import queue_world
from tests.integration.web.test_pages import sign_in

FIGURE = re.compile(r'<a class="tile" href="([^"]+)" data-figure="(\w+)"><strong>(\d+)</strong>')
QUEUE_LINK = re.compile(r'<a href="(/tickets\?[^"]+)">(\d+)</a>')


def queue_total(client: TestClient, href: str) -> int:
    page = client.get(href.replace("&amp;", "&"))
    assert page.status_code == 200, href
    found = re.search(r"Tickets found: (\d+) · page", page.text)
    assert found, href
    return int(found[1])


def test_the_dashboards_figures_lead_to_the_queue_with_the_same_counts(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    sign_in(client, "manager")
    home = client.get("/")
    assert home.status_code == 200
    figures = {key: (href, int(n)) for href, key, n in FIGURE.findall(home.text)}
    assert {k: figures[k][1] for k in ("overdue", "at_risk", "paused")} == {
        "overdue": 1,
        "at_risk": 1,
        "paused": 1,
    }
    for href, count in figures.values():
        if href.startswith("/tickets"):
            assert queue_total(client, href) == count, href
    rows = QUEUE_LINK.findall(home.text)
    assert f"/tickets?agreement={sla_in_force}&amp;clock=overdue" in dict(rows)
    for href, count in rows:
        assert queue_total(client, href) == int(count), href
    assert {"breaches", "expiring", "reviews_overdue", "work", "findings"} <= set(figures)
    assert home.text.count("<svg") >= 3  # compliance, breaches by week, availability


def test_the_period_is_picked_in_the_address_and_a_bad_one_is_a_message(
    client: TestClient, world: World, sla_in_force: int
) -> None:
    sign_in(client, "manager")
    year = client.get("/?months=12")
    assert year.status_code == 200
    assert "2026-01" in year.text
    assert "2025-12" not in year.text
    quarter = client.get("/?months=3")
    assert "2026-10" in quarter.text
    assert "2026-09" not in quarter.text
    bad = client.get("/?months=5")
    assert bad.status_code == 422
    assert 'class="error" role="alert"' in bad.text


def test_a_representatives_home_shows_their_agreements_and_tickets_only(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    sign_in(client, "customer_rep")
    mine = client.get("/")
    figures = {key: (href, int(n)) for href, key, n in FIGURE.findall(mine.text)}
    assert figures["at_risk"] == ("/tickets?clock=at_risk", 1)
    assert figures["overdue"] == ("/tickets?clock=overdue", 1)
    assert "SLA-1" in mine.text
    assert 'href="/requirements"' in mine.text
    assert 'href="/my-surveys"' in mine.text
    assert client.get("/my-surveys").status_code == 200
    assert "Underpinning" not in mine.text
    client.post("/logout", data={"csrf": re.findall(r'name="csrf" value="([^"]+)"', mine.text)[0]})
    sign_in(client, "outsider")
    theirs = client.get("/")
    assert "SLA-1" not in theirs.text
    figures = {key: (href, int(n)) for href, key, n in FIGURE.findall(theirs.text)}
    assert figures["overdue"][1] == figures["at_risk"][1] == 0


WEEK_BAR = re.compile(r'<a href="(/breaches\?week=[\d-]+)" aria-label="[^"]*: (\d+)">')


def test_each_weekly_breach_bar_leads_to_that_weeks_breaches_with_the_same_count(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    queue_world(session, world, sla_in_force)
    sign_in(client, "manager")
    bars = WEEK_BAR.findall(client.get("/?months=3").text)
    assert bars, "no week with a breach in the chart"
    assert sum(int(n) for _, n in bars) == len(
        re.findall(r'<tr id="breach-', client.get("/breaches").text)
    )
    for href, count in bars:
        week = client.get(href)
        assert week.status_code == 200, href
        assert len(re.findall(r'<tr id="breach-', week.text)) == int(count), href
        assert 'id="breach-filter"' in week.text


def test_a_week_that_is_not_a_monday_is_a_message_not_a_list(
    client: TestClient, world: World
) -> None:
    sign_in(client, "manager")
    page = client.get("/breaches?week=2026-11-03")
    assert page.status_code == 422
    assert "2026-11-03" in page.text
    assert client.get("/breaches?week=soon").status_code == 422
