"""One service report, five renderings: the page, the PDF's text, the XLSX's cells, the CSV's
rows and the API's JSON, each checked against figures worked out by hand (below), not against
the figures model the renderings share — so a figure one rendering drops or alters fails here.

The month (March 2026, agreement zone UTC, every ticket P1 on e-mail, opened 3 March 10:00):

=====  =========  ========  =================================================================
ticket responded  resolved  outcome
=====  =========  ========  =================================================================
A      +30 min    +1 h      response met, resolution met
B      +30 min    +5 h      resolution breached at 14:00, over by 1 h
C      +2 h       +6 h      BOTH targets breached: response at 11:00 (over 1 h), resolution at
                            14:00 (over 2 h)
D      +15 min    +7 h      resolution breached at 14:00 (over 3 h) — EXCLUDED, with a reason
E      (February)           met both in February, so the trend has a value there
=====  =========  ========  =================================================================

P1-resolution (4 h, 95 %): met A and D (excluded breaches count as met), breached B and C →
2 met, 2 breached, 1 excluded, 50 %. P1-response (1 h, 90 %): met A, B, D, breached C → 75 %.
Breaches that count: B, C, C → 3, all P1; excluded: 1 (D).
One unplanned outage of e-mail, 10 March 10:00–11:30: 5,400 s down of March's 2,678,400 s →
availability 99.798 %, below the 99.9 % objective. Credits on a fee of 10,000 EUR a month:
e-mail below 99.9 % → 5 % = 500; P1 resolution 100 per counted breach × 2 = 200; total 700.
The term starts on 2026-01-01: the trend's months April–December 2025 show no availability
(and no compliance); January and February 2026 had no outage → 100 %.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelevel.db.models import Breach
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import breaches, outages, recompute
from servicelevel.services.monitoring.outages import OutageData
from tests.integration.agreement_fixtures import SLA, everyone
from tests.integration.api.test_templates_api import pdf_text
from tests.integration.conftest import auth
from tests.integration.factories import PASSWORD, World
from tests.integration.monitoring_fixtures import add_ticket

HOUR = dt.timedelta(hours=1)
OPENED = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
REASON = "the customer asked us to wait for a part"
NOW = dt.datetime(2026, 4, 2, tzinfo=dt.UTC)

# the hand computation of the module docstring
TARGETS = {  # target: objective %, achieved %, met, breached, excluded
    "P1-resolution": (95, 50, 2, 2, 1),
    "P1-response": (90, 75, 3, 1, 0),
}
BREACHES = [  # earliest first: target, ticket, over by (s), excluded
    ("P1-response", "C", 3600, False),
    ("P1-resolution", "B", 3600, False),
    ("P1-resolution", "C", 7200, False),
    ("P1-resolution", "D", 10800, True),
]
COUNTED, EXCLUDED = 3, 1
AVAILABILITY = 1 - 5400 / (31 * 24 * 3600)  # 0.99798…
CREDITS = {"email-credit": 500, "p1-credit": 200}
CREDIT_TOTAL = 700
BEFORE_TERM = [f"2025-{m:02d}" for m in range(4, 13)]


def document() -> dict[str, Any]:
    doc = copy.deepcopy(SLA)
    doc["timezone"] = "UTC"
    doc["fee"] = {"amount": 10000, "currency": "EUR", "per": "month"}
    doc["targets"] = [
        doc["targets"][0],
        {
            "id": "P1-response",
            "clock": "response",
            "when": {"priority": "P1"},
            "within": "1h",
            "calendar": "always",
            "objective": "90%",
        },
    ]
    doc["credits"].append({"id": "p1-credit", "target": "P1-resolution", "per_breach": 100})
    return doc


def in_force(client: TestClient, tokens: dict[str, str], doc: dict[str, Any]) -> int:
    """The agreement proposed, approved, signed by both sides and in force from 1 January."""
    staff, rep = auth(tokens["manager"]), auth(tokens["customer_rep"])
    made = client.post("/api/v1/agreements", headers=staff, json={"document": doc})
    assert made.status_code == 201, made.text
    url = f"/api/v1/agreements/{made.json()['id']}/versions/1"
    for who, path, body in (
        (staff, "steps", {"step": "propose"}),
        (staff, "steps", {"step": "approve"}),
        (staff, "signatures", {"password": PASSWORD}),
        (rep, "signatures", {"password": PASSWORD}),
        (staff, "steps", {"step": "activate", "effective": "2026-01-01T00:00:00Z"}),
    ):
        version = client.get(url, headers=staff).json()["lock_version"]
        r = client.post(f"{url}/{path}", headers=who, json={"lock_version": version, **body})
        assert r.status_code == 200, r.text
    return int(made.json()["id"])


def month_of_data(session: Session, world: World, opened: dt.datetime = OPENED) -> dict[str, int]:
    ids = {}
    for number, responded, resolved in (("A", 0.5, 1), ("B", 0.5, 5), ("C", 2, 6), ("D", 0.25, 7)):
        ids[number] = add_ticket(
            session,
            world,
            number,
            [
                (opened, "New", "created"),
                (opened + responded * HOUR, "In Progress", "responded"),
                (opened + resolved * HOUR, "Resolved", ""),
            ],
        )
    february = dt.datetime(2026, 2, 10, 9, tzinfo=dt.UTC)
    steps = [(february, "New", "created"), (february + HOUR / 2, "In Progress", "responded")]
    add_ticket(session, world, "E", [*steps, (february + HOUR, "Resolved", "")])
    start = dt.datetime(2026, 3, 10, 10, tzinfo=dt.UTC)
    data = OutageData("email", start, start + 1.5 * HOUR)
    outages.record_outage(session, actor=SYSTEM, data=data)
    session.flush()
    return ids


@pytest.fixture
def reported(client: TestClient, session: Session, world: World, tokens: dict[str, str]) -> int:
    """The agreement with the month of data, measured, and D's breach excluded."""
    everyone(session, world)
    agreement = in_force(client, tokens, document())
    ids = month_of_data(session, world)
    recompute.recompute(session, agreement_id=agreement, now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
    found = session.scalars(
        select(Breach).where(
            Breach.agreement_id == agreement,
            Breach.target_key == "P1-resolution",
            Breach.ticket_id == ids["D"],
        )
    ).one()
    breaches.annotate(
        session,
        actor=world.actors["manager"],
        breach_id=found.id,
        version=found.version,
        excluded=True,
        reason=REASON,
    )
    session.flush()
    return agreement


def squeeze(text: str) -> str:
    return " ".join(text.split())


def cells(html: str) -> str:
    """The page's table cells with the markup's line breaks gone (``<td>a</td><td>b</td>``)."""
    return "".join(html.split("\n"))


def test_the_page_shows_every_hand_computed_figure(
    client: TestClient, reported: int, tokens: dict[str, str]
) -> None:
    with_time = f"/api/v1/agreements/{reported}/report?period=2026-03"
    page = cells(client.get(with_time, headers=auth(tokens["customer_rep"])).text)
    for target, (objective, achieved, met, breached, _) in TARGETS.items():
        row = f"<td>{target}</td><td>{objective}%</td><td>{achieved}%</td><td>{met}</td>"
        assert f"{row}<td>{breached}</td>" in page, target
    for target, ticket, over, excluded in BREACHES:
        hours = f"{over // 3600}h"
        mark = f"excluded: {REASON}" if excluded else ""
        assert f"<td>{target}</td><td>{ticket}</td><td>P1</td>" in page
        assert f"<td>{hours}</td><td>{mark}</td>" in page, (target, ticket)
    assert f"Excluded by decision, not counted: {EXCLUDED}" in page
    assert f"<li>P1: {COUNTED}</li>" in page
    assert "P1-resolution · D · breached" in page
    assert REASON in page
    assert "99.8%" in page  # the availability, rounded only here
    for clause, amount in CREDITS.items():
        assert f"{clause}: {amount}" in page
    assert "2 breaches × 100" in page
    assert "below 99.9%" in page
    assert f"<strong>{CREDIT_TOTAL}</strong>" in page
    for month in BEFORE_TERM:  # compliance —, compliance —, availability —
        assert f"<td>{month}</td><td>—</td><td>—</td><td>—</td>" in page
    assert "<td>2026-01</td><td>—</td><td>—</td><td>100%</td>" in page
    assert "<td>2026-02</td><td>100%</td><td>100%</td><td>100%</td>" in page


def test_the_pdf_text_shows_every_hand_computed_figure(
    client: TestClient, reported: int, tokens: dict[str, str]
) -> None:
    url = f"/api/v1/agreements/{reported}/report?period=2026-03&format=pdf"
    text = pdf_text(client.get(url, headers=auth(tokens["manager"])).content)[0]
    text = squeeze(re.sub(r"-\s+", "-", text))  # a narrow column wraps "P1-" "resolution"
    for target, (objective, achieved, met, breached, _) in TARGETS.items():
        assert f"{target} {objective}% {achieved}% {met} {breached}" in text, target
    for target, ticket, over, _excluded in BREACHES:
        assert f"{target} {ticket} P1" in text, (target, ticket)
        assert f"{over // 3600}h" in text
    assert f"excluded: {REASON}" in text
    assert f"Excluded by decision, not counted: {EXCLUDED}" in text
    assert f"P1: {COUNTED}" in text
    assert "99.8%" in text
    assert "email-credit: 500" in text
    assert "p1-credit: 200" in text
    assert "2 breaches × 100" in text
    assert f"Total owed: {CREDIT_TOTAL}" in text
    assert "2025-04 — — —" in text
    assert "2026-01 — — 100%" in text


def test_the_xlsx_cells_hold_every_hand_computed_figure(
    client: TestClient, reported: int, tokens: dict[str, str]
) -> None:
    url = f"/api/v1/agreements/{reported}/report?period=2026-03&format=xlsx"
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(url, headers=auth(tokens["manager"])).content)
    )

    def rows(sheet: str) -> list[dict[str, Any]]:
        [head, *body] = list(book[sheet].iter_rows(values_only=True))
        return [dict(zip(head, r, strict=True)) for r in body]

    targets = {r["target"]: r for r in rows("Targets")}
    for target, (objective, achieved, met, breached, excluded) in TARGETS.items():
        got = targets[target]
        assert (got["objective_pct"], got["within_pct"]) == pytest.approx((objective, achieved))
        assert (got["met"], got["breached"], got["excluded"]) == (met, breached, excluded)
    listed = [
        (r["target"], r["ticket"], r["over_seconds"], r["excluded"]) for r in rows("Breaches")
    ]
    assert listed == BREACHES
    [d] = [r for r in rows("Breaches") if r["excluded"]]
    assert d["exclusion_reason"] == REASON
    summary = {r["figure"]: r["value"] for r in rows("Summary")}
    assert (summary["breaches_counted"], summary["breaches_excluded"]) == (COUNTED, EXCLUDED)
    assert rows("Breaches by priority") == [{"priority": "P1", "count": COUNTED}]
    [email] = rows("Availability")
    assert email["availability_pct"] == pytest.approx(AVAILABILITY * 100)
    credits = {r["clause"]: r for r in rows("Credits") if r.get("clause") in CREDITS}
    assert {k: v["amount"] for k, v in credits.items()} == CREDITS
    assert all(v["reason"] for v in credits.values())
    trend = {r["period"]: r["availability_pct"] for r in rows("Availability trend")}
    assert [trend[m] for m in BEFORE_TERM] == [None] * len(BEFORE_TERM)
    assert (trend["2026-01"], trend["2026-02"]) == (100, 100)
    total = [r for r in book["Credits"].iter_rows(values_only=True) if r and r[0] == "total"]
    assert total == [("total", CREDIT_TOTAL)] or total[0][:2] == ("total", CREDIT_TOTAL)


def test_the_csv_rows_carry_every_hand_computed_figure_each_breach_with_its_target(
    client: TestClient, reported: int, tokens: dict[str, str]
) -> None:
    url = f"/api/v1/agreements/{reported}/report?period=2026-03&format=csv"
    text = client.get(url, headers=auth(tokens["customer_rep"])).text
    rows = list(csv.DictReader(io.StringIO(text)))
    tidy = {(r["section"], r["id"], r["target"], r["figure"]): r["value"] for r in rows}
    for target, (_, achieved, met, breached, excluded) in TARGETS.items():
        assert float(tidy[("target", target, target, "within_pct")]) == pytest.approx(achieved)
        assert tidy[("target", target, target, "met")] == str(met)
        assert tidy[("target", target, target, "breached")] == str(breached)
        assert tidy[("target", target, target, "excluded")] == str(excluded)
    for target, ticket, over, excluded in BREACHES:  # C twice, told apart by the target
        assert tidy[("breach", ticket, target, "over_seconds")] == str(over)
        assert tidy[("breach", ticket, target, "excluded")] == str(excluded)
    assert tidy[("breach", "D", "P1-resolution", "exclusion_reason")] == REASON
    assert tidy[("breaches", "total", "", "counted")] == str(COUNTED)
    assert tidy[("breaches", "total", "", "excluded")] == str(EXCLUDED)
    assert tidy[("breaches_by_priority", "P1", "", "count")] == str(COUNTED)
    assert float(tidy[("availability", "email-up", "email-up", "availability_pct")]) == (
        pytest.approx(AVAILABILITY * 100)
    )
    for clause, amount in CREDITS.items():
        line = [r for r in rows if r["section"] == "credit" and r["id"] == clause]
        values = {r["figure"]: r["value"] for r in line}
        assert float(values["amount"]) == amount
        assert values["reason"]
    assert float(tidy[("credits", "total", "", "total")]) == CREDIT_TOTAL
    for month in BEFORE_TERM:
        assert tidy[("availability_trend", month, "email-up", "availability_pct")] == ""
    assert float(tidy[("availability_trend", "2026-01", "email-up", "availability_pct")]) == 100


def test_the_json_of_the_live_report_carries_every_hand_computed_figure(
    client: TestClient, reported: int, tokens: dict[str, str]
) -> None:
    url = f"/api/v1/agreements/{reported}/reports/2026-03"
    answer = client.get(url, headers=auth(tokens["customer_rep"]))
    assert answer.status_code == 200, answer.text
    figs = answer.json()
    assert figs["schema"] == "servicelevel/report-figures/1"
    targets = {t["target"]: t for t in figs["targets"]}
    for target, (objective, achieved, met, breached, excluded) in TARGETS.items():
        got = targets[target]
        assert (got["objective_pct"], got["within_pct"]) == pytest.approx((objective, achieved))
        assert (got["met"], got["breached"], got["excluded"]) == (met, breached, excluded)
    listed = [
        (b["target"], b["ticket"], b["over_seconds"], b["excluded"]) for b in figs["breaches"]
    ]
    assert listed == BREACHES
    assert [b["exclusion_reason"] for b in figs["breaches"]] == [None, None, None, REASON]
    counts = figs["breach_counts"]
    assert (counts["counted"], counts["excluded"]) == (COUNTED, EXCLUDED)
    assert counts["by_priority"] == [{"priority": "P1", "count": COUNTED}]
    [email] = figs["availability"]
    assert email["availability_pct"] == pytest.approx(AVAILABILITY * 100)  # not rounded
    assert email["downtime_seconds"] == 5400
    lines = {c["clause"]: c for c in figs["credits"]["lines"]}
    assert {k: lines[k]["amount"] for k in CREDITS} == CREDITS
    assert lines["p1-credit"]["per_breach"] == 100
    assert lines["p1-credit"]["breaches"] == 2
    assert lines["email-credit"]["tier_below_pct"] == pytest.approx(99.9)
    assert figs["credits"]["total"] == CREDIT_TOTAL
    uptime = {r["period"]: r["availability_pct"] for r in figs["availability_trend"]}
    assert [uptime[m] for m in BEFORE_TERM] == [None] * len(BEFORE_TERM)
    assert uptime["2026-03"] == pytest.approx(AVAILABILITY * 100)
    bad = client.get(url.replace("2026-03", "March"), headers=auth(tokens["manager"]))
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "period")
    other = client.get(url, headers=auth(tokens["outsider"]))
    assert other.status_code == 404


def test_the_chinese_pages_mark_the_excluded_breach_and_count_it_apart(
    client: TestClient, reported: int, tokens: dict[str, str]
) -> None:
    url = f"/api/v1/agreements/{reported}/report?period=2026-03&language="
    hans = cells(client.get(f"{url}zh-Hans", headers=auth(tokens["manager"])).text)
    assert f"已排除：{REASON}" in hans
    assert f"经决定排除、不计入的违约：{EXCLUDED}" in hans
    hant = cells(client.get(f"{url}zh-Hant", headers=auth(tokens["manager"])).text)
    assert f"已排除：{REASON}" in hant
    assert f"經決定排除、不計入的違約：{EXCLUDED}" in hant
