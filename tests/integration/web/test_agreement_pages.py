"""Agreement pages: drafting from YAML with errors by line, the lifecycle buttons, signatures by
both sides, comments, a new version and its diff, underpinning and the portfolio."""

from __future__ import annotations

import copy
import datetime as dt
import html
import re

import pytest
import time_machine
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.services.agreements import authoring as agreements
from servicelevel.services.identity.permissions import Actor
from servicelevel.services.monitoring import recompute
from servicelevel.services.shared import jobs
from tests.integration.agreement_fixtures import SLA, everyone, ola
from tests.integration.factories import PASSWORD, World
from tests.integration.monitoring_fixtures import ticket
from tests.integration.services.agreements.test_agreements import in_force
from tests.integration.web.test_pages import csrf_of, sign_in


@pytest.fixture
def actors(session: Session, world: World) -> dict[str, Actor]:
    return everyone(session, world)


def draft(client: TestClient, csrf: str, doc: dict[str, object] = SLA) -> str:
    text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
    r = client.post(
        "/agreements/new", data={"document": text, "csrf": csrf}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    return str(r.headers["location"])


def press(client: TestClient, url: str, page: str, **data: str) -> str:
    """Submit the form posting to ``url`` on ``page`` with its hidden fields, plus ``data``."""
    form = re.search(
        rf'<form method="post" action="{re.escape(url)}"[^>]*>(.*?)</form>', page, re.S
    )
    assert form, f"no form for {url}"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(1)))
    r = client.post(url, data={**fields, **data})
    assert r.status_code == 200, r.text
    return str(r.text)


def test_a_mistake_in_the_yaml_names_its_line(client: TestClient, actors: dict[str, Actor]) -> None:
    csrf = sign_in(client, "admin")
    text = yaml.safe_dump(SLA, sort_keys=False).replace("within: 4h", "within: soon")
    r = client.post("/agreements/new", data={"document": text, "csrf": csrf})
    assert r.status_code == 422
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "soon" in s)
    assert f"line {line}:" in r.text
    assert "soon" in r.text  # the text is kept


def test_an_sla_is_drafted_proposed_signed_and_put_in_force_from_its_page(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    url = draft(client, csrf)
    aid = url.rsplit("/", 1)[1]
    page = client.get(url).text
    assert "P1-resolution" in page
    page = press(client, f"/agreements/{aid}/versions/1/steps", page, step="propose")
    page = press(client, f"/agreements/{aid}/versions/1/comments", page, body="Fine by us")
    page = press(client, f"/agreements/{aid}/new-version", page, note="P2 faster")
    edit = client.get(f"/agreements/{aid}/versions/2/edit").text
    text = re.search(r'<textarea[^>]*name="document"[^>]*>(.*?)</textarea>', edit, re.S)
    assert text
    changed = text.group(1).replace("within: 8h", "within: 6h").replace("&#39;", "'")
    r = client.post(
        f"/agreements/{aid}/versions/2/edit",
        data={"document": changed, "version": "1", "csrf": csrf_of(edit), "note": "P2 faster"},
    )
    assert r.status_code == 200, r.text
    diff = client.get(f"/agreements/{aid}/diff?old=1&new=2").text
    assert "Resolution within 8 h: Priority is P2" in diff  # the clause by its words
    assert '<td class="before">8 h</td><td class="after">6 h</td>' in diff
    assert "targets." not in diff
    assert "+  within: 6h" in diff  # the files, line by line, under Advanced
    page = client.get(url).text
    page = press(client, f"/agreements/{aid}/versions/2/steps", page, step="propose")
    page = press(client, f"/agreements/{aid}/versions/2/steps", page, step="approve")
    page = press(client, f"/agreements/{aid}/versions/2/sign", page, password=PASSWORD)
    client.post("/logout", data={"csrf": csrf_of(page)})
    sign_in(client, "customer_rep")
    page = client.get(url).text
    assert "Fine by us" in page
    page = press(client, f"/agreements/{aid}/versions/2/sign", page, password=PASSWORD)
    assert "Signed" in page
    client.post("/logout", data={"csrf": csrf_of(page)})
    sign_in(client, "manager")
    page = press(
        client, f"/agreements/{aid}/versions/2/steps", client.get(url).text, step="activate"
    )
    assert re.search(r'class="badge (active|expiring|expired)"', page)


def test_underpinning_is_linked_and_its_findings_shown(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "manager")
    sla = draft(client, csrf)
    slow = copy.deepcopy(SLA["targets"])
    slow[0]["within"] = "8h"
    team = draft(client, csrf, ola(targets=slow))
    page = client.get(sla).text
    sid = sla.rsplit("/", 1)[1]
    page = press(
        client, f"/agreements/{sid}/underpinning", page, supporting_id=team.rsplit("/", 1)[1]
    )
    assert "Looser target" in page
    assert "OLA-1 target P1-resolution is looser than SLA-1 target P1-resolution" in page
    client.get("/language/zh_Hans")
    portfolio = client.get("/portfolio").text
    assert "指标更宽松" in portfolio or "更宽松" in portfolio


def test_a_refused_step_is_explained_on_the_page(
    client: TestClient, actors: dict[str, Actor]
) -> None:
    csrf = sign_in(client, "admin")
    url = draft(client, csrf, {**SLA, "services": []})
    aid = url.rsplit("/", 1)[1]
    r = client.post(
        f"/agreements/{aid}/versions/1/steps",
        data={"step": "propose", "version": "1", "csrf": csrf},
    )
    assert r.status_code == 422
    assert "name the services the agreement covers first" in r.text


def test_a_report_is_published_from_the_agreement_page_and_read_as_published(
    client: TestClient, session: Session, world: World, actors: dict[str, Actor]
) -> None:
    made = agreements.create_agreement(session, actor=actors["admin"], document=copy.deepcopy(SLA))
    session.flush()
    in_force(session, actors, made, "customer_rep")
    session.flush()
    csrf = sign_in(client, "admin")
    page = client.get(f"/agreements/{made.id}").text
    assert "Publish the report" in page
    page = press(
        client, f"/agreements/{made.id}/reports", page, period="2026-03", language="zh-Hans"
    )
    link = re.search(r'href="(/reports/\d+)"', page)
    assert link, page
    report = client.get(link.group(1))
    assert "服务报告" in report.text
    assert client.get(f"{link.group(1)}?format=pdf").content.startswith(b"%PDF")
    page = client.get(f"/agreements/{made.id}").text
    assert "Not computed yet." in page
    press(client, f"/agreements/{made.id}/recompute", page)
    jobs_page = jobs.list_jobs(session, actor=actors["admin"], status="queued").items
    assert [j.payload["agreement_id"] for j in jobs_page if j.kind == "recompute"] == [made.id]
    made.versions[0].in_force_from = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # since January
    ticket(session, world, "T1", dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC), 5)
    session.flush()
    recompute.recompute(session, agreement_id=made.id)
    session.flush()
    found = re.search(r'href="/tickets/(\d+)"', client.get("/tickets?q=T1").text)
    assert found
    shown = client.get(f"/tickets/{found.group(1)}").text
    assert re.search(
        r"<td>SLA-1</td><td>P1-resolution</td><td>Breached</td><td>5 h / 4 h</td>", shown
    )
    assert csrf  # signed in


@pytest.mark.parametrize(
    ("now", "start", "end"),
    [
        ("2026-12-31T16:30:00Z", "2027-02-01", "2028-01-31"),  # 00:30 on New Year's Day there
        ("2026-06-15T03:00:00Z", "2026-07-01", "2027-06-30"),
    ],
)
def test_the_yaml_example_for_a_new_agreement_starts_next_month_whatever_the_date(
    client: TestClient, world: World, now: str, start: str, end: str
) -> None:
    with time_machine.travel(dt.datetime.fromisoformat(now), tick=False):
        sign_in(client, "manager")
        page = client.get("/agreements/new").text
    assert f"term: {{start: {start}, end: {end}}}" in html.unescape(page)
    assert f"id: SLA-{start[:4]}-001" in page
