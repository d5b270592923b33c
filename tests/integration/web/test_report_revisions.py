"""Published revisions of a service report: numbered per report (agreement × period), each in
three languages, listed and downloadable in every format by the customer's representative —
in the browser and through the API — and by no other customer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from servicelevel.db.models import ServiceReport
from tests.integration.api.test_templates_api import pdf_text
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket
from tests.integration.web.test_pages import sign_in

MARCH = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
FORMATS = ("html", "pdf", "xlsx", "csv", "json")


def test_a_revision_holds_all_three_languages_under_one_number(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    ticket(session, world, "A", MARCH, 1)
    session.flush()
    staff = auth(tokens["manager"])
    url = f"/api/v1/agreements/{sla_in_force}/reports"
    first = client.post(url, headers=staff, json={"period": "2026-03", "language": "zh-Hans"})
    assert first.status_code == 201, first.text
    assert (first.json()["revision"], first.json()["language"]) == (1, "zh-Hans")
    ticket(session, world, "LATE", MARCH, 9)
    session.flush()
    second = client.post(url, headers=staff, json={"period": "2026-03"}).json()
    assert (second["revision"], second["language"]) == (2, "en")
    stored = session.query(ServiceReport).filter_by(agreement_id=sla_in_force).all()
    by_revision = {n: sorted(r.language for r in stored if r.revision == n) for n in (1, 2)}
    assert by_revision == {1: ["en", "zh-Hans", "zh-Hant"], 2: ["en", "zh-Hans", "zh-Hant"]}
    # one figures model per revision, the same in every language; numbers, not text
    figures = {r.language: r.figures for r in stored if r.revision == 2}
    assert figures["en"] == figures["zh-Hans"] == figures["zh-Hant"]
    [p1] = [t for t in figures["en"]["targets"] if t["target"] == "P1-resolution"]
    assert (p1["met"], p1["breached"], p1["within_pct"]) == (1, 1, 50.0)
    [late] = figures["en"]["breaches"]
    assert (late["ticket"], late["target"], late["excluded"]) == ("LATE", "P1-resolution", False)
    chinese = next(r for r in stored if r.revision == 2 and r.language == "zh-Hant")
    assert "第 2 次修訂" in chinese.html  # the cover block names the revision
    english = next(r for r in stored if r.revision == 1 and r.language == "en")
    assert "<td>Revision</td>\n<td>1</td>" in english.html


def test_the_customer_representative_lists_and_downloads_revisions_through_the_api(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    ticket(session, world, "A", MARCH, 1)
    ticket(session, world, "B", MARCH, 6)  # breached: 4 h
    session.flush()
    staff, rep = auth(tokens["manager"]), auth(tokens["customer_rep"])
    for _ in range(2):
        made = client.post(
            f"/api/v1/agreements/{sla_in_force}/reports", headers=staff, json={"period": "2026-03"}
        )
        assert made.status_code == 201, made.text
    listed = client.get(f"/api/v1/agreements/{sla_in_force}/report-revisions", headers=rep)
    assert listed.status_code == 200, listed.text
    revisions = listed.json()["items"]
    assert [(r["period"], r["revision"]) for r in revisions] == [("2026-03", 2), ("2026-03", 1)]
    assert set(revisions[0]["reports"]) == {"en", "zh-Hans", "zh-Hant"}
    report = revisions[0]["reports"]["en"]
    got = {f: client.get(f"/api/v1/reports/{report}?format={f}", headers=rep) for f in FORMATS}
    assert {f: r.status_code for f, r in got.items()} == dict.fromkeys(FORMATS, 200)
    assert "P1-resolution" in got["html"].text
    assert "P1-resolution 95% 50% 1 1" in " ".join(pdf_text(got["pdf"].content)[0].split())
    book = openpyxl.load_workbook(io.BytesIO(got["xlsx"].content))
    [(_, ticket_number, *_)] = list(book["Breaches"].iter_rows(values_only=True))[1:]
    assert ticket_number == "B"
    rows = list(csv.DictReader(io.StringIO(got["csv"].text)))
    assert {
        (r["section"], r["id"], r["target"], r["figure"], r["value"])
        for r in rows
        if r["section"] == "breach" and r["figure"] == "over_seconds"
    } == {("breach", "B", "P1-resolution", "over_seconds", "7200")}
    assert got["json"].json()["figures"]["breach_counts"]["counted"] == 1
    outsider = auth(tokens["outsider"])
    assert (
        client.get(
            f"/api/v1/agreements/{sla_in_force}/report-revisions", headers=outsider
        ).status_code
        == 404
    )
    for f in FORMATS:
        answer = client.get(f"/api/v1/reports/{report}?format={f}", headers=outsider)
        assert answer.status_code == 404, f


def test_the_customer_representative_lists_and_downloads_revisions_in_the_browser(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    ticket(session, world, "B", MARCH, 6)
    session.flush()
    made = client.post(
        f"/api/v1/agreements/{sla_in_force}/reports",
        headers=auth(tokens["manager"]),
        json={"period": "2026-03"},
    ).json()
    sign_in(client, "customer_rep")
    page = client.get(f"/agreements/{sla_in_force}/reports")
    assert page.status_code == 200, page.text
    ids = {
        r.id: r.language
        for r in session.query(ServiceReport).filter_by(agreement_id=sla_in_force).all()
    }
    assert made["id"] in ids
    for report in ids:
        for f in FORMATS:
            link = f"/reports/{report}" + ("" if f == "html" else f"?format={f}")
            assert f'href="{link}"' in page.text, link
            answer = client.get(link)
            assert answer.status_code == 200, (link, answer.text[:200])
    kept = json.loads(client.get(f"/reports/{made['id']}?format=json").text)
    assert [b["ticket"] for b in kept["breaches"]] == ["B"]
    assert "All published revisions" in client.get(f"/agreements/{sla_in_force}").text
    sign_in(client, "outsider")
    assert client.get(f"/agreements/{sla_in_force}/reports").status_code == 404
    for f in FORMATS:
        assert client.get(f"/reports/{made['id']}?format={f}").status_code == 404, f


def test_a_revision_published_before_the_figures_model_stays_readable(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    """An old row keeps the text figures it was published with: its JSON and page remain; a
    spreadsheet of it is a clear 409, never a 500."""
    old = ServiceReport(
        agreement_id=sla_in_force,
        period="2026-02",
        language="en",
        revision=1,
        version_number=1,
        figures={"targets": [{"id": "P1-resolution", "achieved": "98.8%"}]},
        html="<p>February, as published</p>",
        note="",
        published_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )
    session.add(old)
    session.flush()
    rep = auth(tokens["customer_rep"])
    kept = client.get(f"/api/v1/reports/{old.id}", headers=rep)
    assert kept.json()["figures"]["targets"][0]["achieved"] == "98.8%"
    assert "as published" in client.get(f"/api/v1/reports/{old.id}?format=html", headers=rep).text
    sheet = client.get(f"/api/v1/reports/{old.id}?format=xlsx", headers=rep)
    assert (sheet.status_code, sheet.json()["error"]["code"]) == (409, "conflict")
    again = client.post(
        f"/api/v1/agreements/{sla_in_force}/reports",
        headers=auth(tokens["manager"]),
        json={"period": "2026-02"},
    )
    assert again.json()["revision"] == 2  # after the old row's 1


def test_the_live_report_offers_its_figures_as_json_in_the_browser(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    ticket(session, world, "B", MARCH, 6)
    session.flush()
    sign_in(client, "customer_rep")
    assert '<option value="json">JSON</option>' in client.get(f"/agreements/{sla_in_force}").text
    answer = client.get(f"/agreements/{sla_in_force}/report?period=2026-03&format=json")
    assert answer.status_code == 200, answer.text
    figs = answer.json()
    assert [(b["ticket"], b["target"]) for b in figs["breaches"]] == [("B", "P1-resolution")]
    assert 'filename="SLA-1-2026-03.json"' in answer.headers["content-disposition"]
