"""Monitoring pages: breaches with exclusion by a manager (a reason required), fired alerts,
and notification channels with their form errors."""

from __future__ import annotations

import datetime as dt
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.monitoring import alerts, recompute
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import HOUR, add_ticket
from tests.integration.web.test_pages import csrf_of, sign_in

OPENED = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)


def test_a_manager_excludes_a_breach_from_the_breach_page(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    steps = [(OPENED, "New", "created"), (OPENED + 6 * HOUR, "Resolved", "")]
    add_ticket(session, world, "INC-9", steps)
    add_ticket(session, world, "INC-10", [(OPENED, "New", "created")])
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=OPENED + 0.5 * HOUR)
    alerts.fire_due(session, now=OPENED + 3 * HOUR)  # INC-10's 75 % warning
    recompute.recompute(session, agreement_id=sla_in_force, now=OPENED + 7 * HOUR)
    sign_in(client, "manager")
    page = client.get("/breaches").text
    assert "INC-9" in page
    assert "2 h" in page  # over by two hours
    assert "Announced" in page  # the warning fired for INC-10
    rows = dict(re.findall(r'id="breach-(\d+)">.*?>(INC-\d+)</a>', page, re.S))
    assert sorted(rows.values()) == ["INC-10", "INC-9"]  # INC-10 still running past its deadline
    breach_id = next(k for k, v in rows.items() if v == "INC-9")
    url = f"/breaches/{breach_id}/annotation"
    refused = client.post(url, data={"csrf": "nope", "version": "1", "excluded": "true"})
    assert refused.status_code == 400
    r = client.post(
        url,
        data={"csrf": csrf_of(page), "version": "1", "excluded": "true", "reason": ""},
    )
    assert r.status_code == 422
    assert "say why the breach is excluded" in r.text
    r = client.post(
        url,
        data={"csrf": csrf_of(page), "version": "1", "excluded": "true", "reason": "customer away"},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "customer away" in r.text
    assert "Count it again" in r.text


def test_a_customer_representative_sees_breaches_but_cannot_exclude(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    steps = [(OPENED, "New", "created"), (OPENED + 6 * HOUR, "Resolved", "")]
    add_ticket(session, world, "INC-9", steps)
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=OPENED + 7 * HOUR)
    sign_in(client, "customer_rep")
    page = client.get("/breaches").text
    assert "INC-9" in page
    assert "Exclude" not in page
    assert 'href="/notifications"' not in page


def test_channels_are_added_with_errors_named_by_field(client: TestClient, world: World) -> None:
    sign_in(client, "manager")
    page = client.get("/notifications").text
    csrf = csrf_of(page)
    bad = client.post(
        "/notifications/channels",
        data={"csrf": csrf, "name": "ops", "kind": "email", "address": "not-an-address"},
    )
    assert bad.status_code == 422
    assert "address must be an email address" in bad.text
    assert 'value="ops"' in bad.text  # what was typed is kept
    ok = client.post(
        "/notifications/channels",
        data={
            "csrf": csrf,
            "name": "ops",
            "kind": "wecom",
            "address": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
            "locale": "zh_Hans",
            "timezone": "Asia/Shanghai",
            "notices": ["breach"],
        },
        follow_redirects=True,
    )
    assert ok.status_code == 200, ok.text
    assert "Asia/Shanghai" in ok.text
    assert "WeCom" in ok.text


def test_the_agreement_page_shows_the_recomputation_and_polls_while_it_waits(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    sign_in(client, "manager")
    page = client.get(f"/agreements/{sla_in_force}").text
    csrf = csrf_of(page)
    version = re.search(
        r'action="/agreements/\d+/recompute".*?name="version" value="(\d+)"', page, re.S
    )
    assert version
    r = client.post(
        f"/agreements/{sla_in_force}/recompute",
        data={"csrf": csrf, "version": version.group(1)},
        follow_redirects=True,
    )
    assert r.status_code == 200
    assert "Last recomputation: Queued" in " ".join(r.text.split())
    assert f'hx-get="/agreements/{sla_in_force}/job"' in r.text  # polled while it waits
    jobs_done = client.get(f"/agreements/{sla_in_force}/job")
    assert "Queued" in jobs_done.text
    sign_in(client, "customer_rep")
    assert "Last recomputation" not in client.get(f"/agreements/{sla_in_force}").text


def test_the_report_form_offers_the_figures_as_a_spreadsheet_and_csv(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    add_ticket(session, world, "S1", [(OPENED, "New", "created"), (OPENED + HOUR, "Resolved", "")])
    session.flush()
    sign_in(client, "customer_rep")
    assert '<option value="xlsx">XLSX</option>' in client.get(f"/agreements/{sla_in_force}").text
    url = f"/agreements/{sla_in_force}/report?period=2026-03&format="
    sheet = client.get(url + "xlsx")
    assert sheet.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert sheet.content[:2] == b"PK"  # a zip, as every XLSX
    text = client.get(url + "csv").text
    assert "target,P1-resolution,P1-resolution,met,1" in text.splitlines()


def test_the_portfolio_page_lists_this_month_and_filters_by_customer(
    client: TestClient, world: World, sla_in_force: int
) -> None:
    sign_in(client, "manager")
    page = client.get("/portfolio").text
    health = page[page.index('id="health"') :]
    assert f'href="/agreements/{sla_in_force}">SLA-1</a>' in health
    assert "All customers" in page
    other = client.get(f"/portfolio?customer_id={world.globex_id}").text
    assert "No agreement in force." in other
    assert client.get("/portfolio?customer_id=abc").status_code == 200  # ignored, not an error


def test_a_service_page_shows_the_agreements_covering_it_this_month(
    client: TestClient, session: Session, sla_in_force: int
) -> None:
    from servicelevel.services.catalog import offerings as catalog
    from servicelevel.services.identity.permissions import SYSTEM

    email = next(
        s for s in catalog.list_services(session, actor=SYSTEM, limit=50).items if s.code == "email"
    )
    sign_in(client, "manager")
    page = client.get(f"/services/{email.id}").text
    health = page[page.index('id="service-health"') :]
    assert f'href="/agreements/{sla_in_force}">SLA-1</a>' in health


def test_a_breach_names_the_team_holding_its_ticket_to_staff_only(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    steps = [
        (OPENED, "New", "created"),
        (OPENED + HOUR, "In Progress", ""),
        (OPENED + 5 * HOUR, "In Progress", ""),  # P1's 4 hours run out before this hand-off
        (OPENED + 6 * HOUR, "Resolved", ""),
    ]
    teams = ["service-desk", "network", "service-desk", ""]
    add_ticket(session, world, "INC-11", steps, teams=teams)
    add_ticket(session, world, "INC-12", [(OPENED, "New", "created")])  # no team named
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=OPENED + 7 * HOUR)
    sign_in(client, "manager")
    page = client.get("/breaches").text
    rows = dict(
        re.findall(r'id="breach-\d+">.*?>(INC-\d+)</a>.*?<td class="name">([^<]*)</td>', page, re.S)
    )
    assert rows == {"INC-11": "network", "INC-12": "—"}
    assert "Breaches by the team holding the ticket" in page
    client.cookies.clear()
    sign_in(client, "customer_rep")
    shown = client.get("/breaches").text
    assert "INC-11" in shown
    assert "network" not in shown
    assert "Team at breach" not in shown
