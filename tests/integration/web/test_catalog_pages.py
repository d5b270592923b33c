"""Catalog and work-list pages: a service from the form to the published catalog."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.calendars import service_hours as calendars
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.parties import directory as parties
from tests.integration.factories import World
from tests.integration.web.test_pages import csrf_of, sign_in


def hours(session: Session) -> int:
    cal = calendars.create_calendar(
        session,
        actor=SYSTEM,
        code="desk",
        definition={"name": "Service desk", "timezone": "Asia/Shanghai", "hours": "24x7"},
    )
    session.flush()
    return cal.id


def add_service(client: TestClient, csrf: str, calendar_id: int, **extra: str) -> str:
    data = {
        "code": "email",
        "name": "Email",
        "name_zh_hans": "电子邮件",
        "category": "Collaboration",
        "calendar_id": str(calendar_id),
        "csrf": csrf,
        **extra,
    }
    r = client.post("/services/new", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


OPTIONS = {
    "option_code": ["gold", "silver"],
    "option_name": ["Gold", "Silver"],
    "option_name_zh_hans": ["金牌", "银牌"],
    "option_name_zh_hant": ["", ""],
    "target_option": ["gold", "gold", "silver", ""],
    "target_metric": ["resolution", "availability", "resolution", ""],
    "target_priority": ["P1", "", "P1", ""],
    "target_within": ["4h", "", "8h", ""],
    "target_objective": ["95", "99.9%", "90", ""],
}


def test_a_service_is_added_given_options_approved_and_published(
    client: TestClient, session: Session, world: World
) -> None:
    team = parties.create_party(
        session, actor=SYSTEM, data=parties.PartyData("NET", "internal_team", "Network", {})
    )
    csrf = sign_in(client, "manager")
    url = add_service(client, csrf, hours(session), depends_on=str(team.id))
    detail = client.get(url)
    assert "Network" in detail.text
    assert "Service desk" in detail.text
    r = client.post(f"{url}/options", data={**OPTIONS, "csrf": csrf, "version": "1"})
    assert r.status_code == 200, r.text
    assert "/options" not in str(r.url)
    page = client.get(url).text
    assert "99.9%" in page
    assert "Gold" in page
    for step, version in (("approve", "2"), ("publish", "3")):
        r = client.post(
            f"{url}/lifecycle", data={"transition": step, "version": version, "csrf": csrf}
        )
        assert r.status_code == 200, r.text
    assert "Published" in client.get(url).text
    assert "Define the SLA" in client.get("/work").text
    client.get("/language/zh_Hans")
    catalog = client.get("/catalog").text
    assert "电子邮件" in catalog
    assert "金牌" in catalog
    assert "99.9%" in catalog


def test_a_bad_target_row_is_marked_and_the_rows_are_kept(
    client: TestClient, session: Session, world: World
) -> None:
    csrf = sign_in(client, "admin")
    url = add_service(client, csrf, hours(session))
    bad = {**OPTIONS, "target_within": ["soon", "", "8h", ""]}
    r = client.post(f"{url}/options", data={**bad, "csrf": csrf, "version": "1"})
    assert r.status_code == 422
    assert 'class="invalid"' in r.text
    assert 'value="soon"' in r.text
    assert re.search(r'role="alert">[^<]*duration', r.text)
    orphan = {**OPTIONS, "target_option": ["gold", "gold", "bronze", ""]}
    r = client.post(f"{url}/options", data={**orphan, "csrf": csrf, "version": "1"})
    assert r.status_code == 422
    assert "choose one of the options listed above" in r.text
    assert "No options offered yet." in client.get(url).text


def test_the_service_form_names_a_missing_name(
    client: TestClient, session: Session, world: World
) -> None:
    csrf = sign_in(client, "admin")
    r = client.post("/services/new", data={"code": "x", "name": " ", "csrf": csrf})
    assert r.status_code == 422
    assert 'id="name-error"' in r.text


def test_an_impossible_step_is_shown_on_the_page(
    client: TestClient, session: Session, world: World
) -> None:
    csrf = sign_in(client, "manager")
    url = add_service(client, csrf, hours(session))
    r = client.post(
        f"{url}/lifecycle", data={"transition": "approve", "version": "1", "csrf": csrf}
    )
    assert r.status_code == 422
    assert "offer at least one service level option" in r.text


def test_customers_see_the_catalog_but_not_drafts_or_the_work_list(
    client: TestClient, session: Session, world: World
) -> None:
    csrf = sign_in(client, "admin")
    url = add_service(client, csrf, hours(session))
    client.post("/logout", data={"csrf": csrf})
    sign_in(client, "customer_rep")
    assert client.get(url).status_code == 404
    assert client.get("/work").status_code == 403
    assert "No service is published yet." in client.get("/catalog").text
    assert 'href="/work"' not in client.get("/").text


def test_a_material_change_is_recorded_from_the_work_list(
    client: TestClient, session: Session, world: World
) -> None:
    csrf = sign_in(client, "owner")
    r = client.post("/work/changes", data={"change": "strategy", "description": "", "csrf": csrf})
    assert r.status_code == 422
    assert 'id="description-error"' in r.text
    r = client.post(
        "/work/changes",
        data={"change": "strategy", "description": "Cloud first", "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert csrf_of(client.get("/work").text)
