"""A service report from stored tickets: figures checked against a hand count, and the same
figures in the web page and in the PDF."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import openpyxl
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from servicelevel.db.models import TicketEvent
from servicelevel.db.repositories.monitoring import measurements as measurement_repo
from servicelevel.db.repositories.monitoring import tickets as monitoring_repo
from servicelevel.reports import figures
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.monitoring import recompute, stored_measurements
from servicelevel.services.reporting import compute as service_reports
from servicelevel.services.shared import jobs
from tests.integration.api.conftest import auth
from tests.integration.api.test_templates_api import pdf_text
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import add_ticket, ticket

HOUR = dt.timedelta(hours=1)


def test_the_report_counts_what_happened_and_every_rendering_agrees(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    for number, hours in (("A", 1), ("B", 3.5), ("C", 5), ("D", 7)):  # P1, 24x7, within 4h
        ticket(session, world, number, march, hours)
    ticket(session, world, "E", march + 40 * 24 * HOUR, 1)  # April: not in the period
    session.flush()
    url = f"/api/v1/agreements/{sla_in_force}/report?period=2026-03"
    page = client.get(url, headers=auth(tokens["customer_rep"]))
    assert page.status_code == 200, page.text
    # hand count: A and B within 4 hours, C and D not → 2 met, 2 breached, 50 %
    assert "<td>P1-resolution</td>\n<td>95%</td>\n<td>50%</td>\n<td>2</td>\n<td>2</td>" in page.text
    pdf = client.get(f"{url}&format=pdf", headers=auth(tokens["customer_rep"]))
    text = pdf_text(pdf.content)[0]
    assert "P1-resolution 95% 50% 2 2 0" in " ".join(text.split())
    chinese = client.get(f"{url}&language=zh-Hans&format=pdf", headers=auth(tokens["manager"]))
    assert "服务报告" in pdf_text(chinese.content)[0]
    bad = client.get(url.replace("2026-03", "March"), headers=auth(tokens["manager"]))
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "period")
    other = client.get(url, headers=auth(tokens["outsider"]))
    assert other.status_code == 404


def test_a_published_report_keeps_its_figures_and_a_new_revision_can_follow(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    ticket(session, world, "A", march, 1)
    session.flush()
    staff = auth(tokens["admin"])
    url = f"/api/v1/agreements/{sla_in_force}/reports"
    commentary = "A quiet month; the new runbook helped."
    first = client.post(url, headers=staff, json={"period": "2026-03", "note": commentary})
    assert first.status_code == 201, first.text
    figures = first.json()["figures"]
    assert (figures["targets"][0]["target"], figures["targets"][0]["met"]) == ("P1-resolution", 1)
    ticket(session, world, "LATE", march, 9)  # a late ticket arrives after publication
    session.flush()
    kept = client.get(f"/api/v1/reports/{first.json()['id']}", headers=auth(tokens["customer_rep"]))
    assert kept.json()["figures"] == figures
    html = client.get(f"/api/v1/reports/{first.json()['id']}?format=html", headers=staff).text
    assert "<td>1</td>\n<td>0</td>" in html  # still 1 met, 0 breached
    assert commentary in section(html, "Service level manager's commentary")
    second = client.post(url, headers=staff, json={"period": "2026-03"}).json()
    assert second["revision"] == 2
    assert second["figures"]["targets"][0]["breached"] == 1
    listed = client.get(f"/api/v1/reports?agreement_id={sla_in_force}", headers=staff).json()
    assert [r["revision"] for r in listed["items"]] == [2, 2, 2, 1, 1, 1]  # in each language
    assert (
        client.get(
            f"/api/v1/reports/{first.json()['id']}", headers=auth(tokens["outsider"])
        ).status_code
        == 404
    )
    assert (
        client.post(
            url, headers=auth(tokens["customer_rep"]), json={"period": "2026-03"}
        ).status_code
        == 403
    )


def test_measurements_are_recomputed_by_a_job_and_agree_with_the_report(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    for number, hours in (("A", 1), ("B", 3.5), ("C", 5)):
        ticket(session, world, number, march, hours)
    session.flush()
    r = client.post(f"/api/v1/agreements/{sla_in_force}/recompute", headers=auth(tokens["manager"]))
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued"
    claimed = jobs.claim(session, worker="test")  # the worker's part, in the test's transaction
    assert claimed is not None
    result = jobs.HANDLERS[claimed.kind](session, claimed)
    jobs.finish(session, claimed, result)
    session.flush()
    assert result["by_status"] == {"met": 2, "breached": 1}
    again = recompute.recompute(session, agreement_id=sla_in_force)  # idempotent
    assert again["by_status"] == result["by_status"]
    shown = client.get(f"/api/v1/jobs/{job['id']}", headers=auth(tokens["viewer"])).json()
    assert (shown["status"], shown["result"]["measurements"]) == ("done", 3)


def test_new_events_queue_recomputation_of_their_tickets_which_one_worker_run_merges(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    batch = {
        "source": "itsm",
        "events": [
            {
                "ticket": "N1",
                "at": "2026-03-03T10:00:00Z",
                "state": "New",
                "service": "email",
                "customer": "ACME",
                "priority": "P1",
            },
            {"ticket": "N1", "at": "2026-03-03T12:00:00Z", "state": "Resolved"},
        ],
    }
    for _ in range(2):  # each batch queues a small job (an insert: requests never wait)
        r = client.post("/api/v1/ticket-events", headers=auth(tokens["admin"]), json=batch)
        assert r.status_code == 200, r.text
        batch["events"][1]["at"] = "2026-03-03T13:00:00Z"  # type: ignore[index]
    queued = jobs.list_jobs(session, actor=SYSTEM, status="queued").items
    [ticket] = monitoring_repo.tickets_by_numbers(session, "itsm", ["N1"])
    wanted = {"agreement_id": sla_in_force, "tickets": [ticket.id]}
    assert [j.payload for j in queued] == [wanted, wanted]
    claimed = jobs.claim(session, worker="test")
    assert claimed is not None
    result = jobs.HANDLERS[claimed.kind](session, claimed)
    assert result["by_status"] == {"met": 1}
    assert jobs.list_jobs(session, actor=SYSTEM, status="queued").total == 0  # merged
    done = jobs.list_jobs(session, actor=SYSTEM, status="done").items
    assert [j.result for j in done] == [{"merged_into": claimed.id}]


def test_a_job_for_some_tickets_recomputes_them_and_leaves_the_others_alone(
    session: Session, world: World, sla_in_force: int
) -> None:
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    first = ticket(session, world, "A", march, 1)
    second = ticket(session, world, "B", march, 5)  # breaches P1's 4 hours
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=march + 10 * HOUR)
    before = {m.ticket_id: m for m in monitoring_measurements(session, [first, second])}
    session.execute(  # B was resolved within the hour after all (a correction at the source)
        update(TicketEvent)
        .where(TicketEvent.ticket_id == second, TicketEvent.seq == 1)
        .values(at=march + 0.5 * HOUR)
    )
    result = recompute.recompute(
        session, agreement_id=sla_in_force, now=march + 10 * HOUR, tickets=[second]
    )
    assert (result["measurements"], result["by_status"]) == (1, {"met": 1})
    after = {m.ticket_id: m for m in monitoring_measurements(session, [first, second])}
    assert after[first].computed_at == before[first].computed_at  # untouched
    assert (after[second].status, after[second].used_seconds) == ("met", 1800)
    assert result["breaches"] == {"added": 0, "changed": 1}  # B's breach withdrawn


def monitoring_measurements(session: Session, tickets: list[int]) -> list[Any]:
    return [m for t in tickets for m in measurement_repo.of_ticket(session, t)]


def test_open_tickets_are_listed_most_urgent_first_with_time_left(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    for number, opened in (
        ("LATER", dt.datetime(2026, 3, 3, 12, tzinfo=dt.UTC)),
        ("SOONER", dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)),
    ):
        add_ticket(session, world, number, [(opened, "New", "created")])
    session.flush()
    recompute.recompute(
        session, agreement_id=sla_in_force, now=dt.datetime(2026, 3, 3, 13, tzinfo=dt.UTC)
    )
    listed = client.get(
        f"/api/v1/agreements/{sla_in_force}/open-tickets", headers=auth(tokens["customer_rep"])
    ).json()["items"]
    assert [(c["ticket"], c["target"], c["left_seconds"]) for c in listed] == [
        ("SOONER", "P1-resolution", 3600),  # 4h budget, 3h used by 13:00
        ("LATER", "P1-resolution", 3 * 3600),
    ]
    assert all(c["overdue"] for c in listed)  # their deadlines (14:00, 16:00) have passed now


def test_the_spreadsheet_and_csv_carry_the_same_figures_as_the_page(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    for number, hours in (("A", 1), ("B", 3.5), ("C", 5), ("D", 7)):
        ticket(session, world, number, march, hours)
    session.flush()
    url = f"/api/v1/agreements/{sla_in_force}/report?period=2026-03"
    rep = auth(tokens["customer_rep"])
    page = client.get(url, headers=rep).text
    assert "<td>P1-resolution</td>\n<td>95%</td>\n<td>50%</td>\n<td>2</td>\n<td>2</td>" in page
    sheet = client.get(f"{url}&format=xlsx", headers=rep)
    assert sheet.status_code == 200, sheet.text
    assert 'filename="SLA-1-2026-03.xlsx"' in sheet.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(sheet.content))
    rows = list(book["Targets"].iter_rows(values_only=True))
    header, p1 = rows[0], next(r for r in rows if r[0] == "P1-resolution")
    got = dict(zip(header, p1, strict=True))
    assert (got["objective_pct"], got["within_pct"], got["met"], got["breached"]) == (95, 50, 2, 2)
    breaches = list(book["Breaches"].iter_rows(values_only=True))
    assert sorted(r[1] for r in breaches[1:]) == ["C", "D"]
    text = client.get(f"{url}&format=csv", headers=rep).text
    lines = set(text.splitlines())
    assert {
        "target,P1-resolution,P1-resolution,met,2",
        "target,P1-resolution,P1-resolution,within_pct,50.0",
    } <= lines
    other = client.get(f"{url}&format=xlsx", headers=auth(tokens["outsider"]))
    assert other.status_code == 404


def test_trend_distribution_and_satisfaction_agree_in_every_rendering(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    """Hand count, P1 within 4 h: February 1 met (1 h), 1 breached (6 h) → 50 %, from the
    stored measurements; March A 1 h (25 % of the time), B 3.5 h (87.5 %), C 5 h and D 7 h
    (over) → 50 %, and the distribution ≤25 %: 1, 75–100 %: 1, >100 %: 2. Satisfaction in
    March: 4 of 5 and 1 of 5 → 2 answers, mean 50 %, 1 low."""
    for number, day, length in (("F1", 3, 1.0), ("F2", 4, 6.0)):
        ticket(session, world, number, dt.datetime(2026, 2, day, 10, tzinfo=dt.UTC), length)
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    for number, hours in (("A", 1), ("B", 3.5), ("C", 5), ("D", 7)):
        ticket(session, world, number, march, hours)
    session.flush()
    recompute.recompute(
        session, agreement_id=sla_in_force, now=dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    )
    staff = auth(tokens["admin"])
    answers = "customer,date,score\nACME,2026-03-05,4\nACME,2026-03-06,1\nACME,2026-04-01,5\n"
    assert (
        client.post("/api/v1/surveys/import", headers=staff, json={"csv": answers}).status_code
        == 200
    )
    url = f"/api/v1/agreements/{sla_in_force}/report?period=2026-03"
    rep = auth(tokens["customer_rep"])

    page = client.get(url, headers=rep).text
    trend = section(page, "Trend over the last 12 periods")
    assert "<td>2025-04</td>" in trend  # a period a row, oldest first
    assert "<td><strong>2026-03</strong></td>" in trend  # the reported period, last and bold
    column = table_column(trend, "P1-resolution")
    assert len(column) == 12
    assert column.count("50%") == 2
    assert column.count("—") == 10
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg"') == 4  # with availability
    # no outage in March: 0.1 % of 31 × 24 h = 2,678.4 s ≈ 45 minutes of error budget left
    assert "0 minutes down, error budget left 45 minutes" in page
    # the breaches are listed with by how much they overran the four hours: C 1 h, D 3 h
    listed = "".join(section(page, "Breaches").split())
    assert "<td>C</td><td>P1</td>" in listed
    assert "<td>D</td><td>P1</td>" in listed
    assert "<td>1h</td>" in listed
    assert "<td>3h</td>" in listed
    assert "2 answer(s) in the period · mean score 50% of the best · 1 low score(s)" in page
    spread = section(page, "Time used against the agreed time").split("<td>P1-resolution</td>")[1]
    spread = spread.split("</tr>")[0]
    assert [c for c in spread.replace("</td>", "").split("<td>") if c.strip()] == [
        "\n1",
        "\n0",
        "\n0",
        "\n1",
        "\n2\n",
    ] or "".join(spread.split()) == "<td>1</td><td>0</td><td>0</td><td>1</td><td>2</td>"

    pdf = " ".join(pdf_text(client.get(f"{url}&format=pdf", headers=rep).content)[0].split())
    assert "Trend over the last 12 periods" in pdf
    assert "2 answer(s) in the period" in pdf

    book = openpyxl.load_workbook(io.BytesIO(client.get(f"{url}&format=xlsx", headers=rep).content))
    trend_rows = [r for r in book["Trend"].iter_rows(values_only=True) if r[0] == "P1-resolution"]
    decided = {r[1]: (r[2], r[3], r[4]) for r in trend_rows if r[4] is not None}
    assert decided == {"2026-02": (1, 1, 50), "2026-03": (2, 2, 50)}
    spread_rows = [
        r[1:] for r in book["Distribution"].iter_rows(values_only=True) if r[0] == "P1-resolution"
    ]
    assert spread_rows == [("≤25%", 1), ("25–50%", 0), ("50–75%", 0), ("75–100%", 1), (">100%", 2)]
    [head, satisfied] = list(book["Satisfaction"].iter_rows(values_only=True))
    assert dict(zip(head, satisfied, strict=True)) == {
        "period": "2026-03",
        "answers": 2,
        "mean_pct": 50,
        "low": 1,
    }
    lines = set(client.get(f"{url}&format=csv", headers=rep).text.splitlines())
    assert {
        "trend,2026-02,P1-resolution,within_pct,50.0",
        "trend,2026-03,P1-resolution,met,2",
        "distribution,>100%,P1-resolution,count,2",
        "satisfaction,2026-03,,answers,2",
    } <= lines


def test_a_report_from_stored_measurements_equals_one_from_the_tickets(
    session: Session, world: World, sla_in_force: int
) -> None:
    """The same figures whether the report reads the stored measurements or evaluates the
    tickets again (while a recomputation waits): met, breached, a clock stored as
    running whose deadline passed since (breached at its deadline), P2 on business hours."""
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    for number, hours in (("A", 1), ("B", 3.5), ("C", 5)):
        ticket(session, world, number, march, hours)
    ticket(session, world, "P2", march, 20, priority="P2")
    add_ticket(session, world, "LATE", [(march + 20 * HOUR, "New", "created")])
    session.flush()
    recompute.recompute(session, agreement_id=sla_in_force, now=march + 21 * HOUR)  # LATE running
    now = dt.datetime(2026, 3, 29, 12, tzinfo=dt.UTC)  # LATE past its deadline

    def figures_now() -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
        found = service_reports.evaluation(
            session, actor=SYSTEM, agreement_id=sla_in_force, period="2026-03", now=now
        )
        rows = [figures.target_row(r) for r in found.result.targets]
        hits = sorted(
            (b["ticket"], b["breached_at"])
            for b in figures.all_breach_rows(found.result, found.tickets, {})
        )
        return rows, hits

    assert stored_measurements.usable(session, sla_in_force)
    stored = figures_now()
    recompute.request(session, actor=SYSTEM, agreement_id=sla_in_force)  # tickets evaluated
    assert not stored_measurements.usable(session, sla_in_force)
    assert figures_now() == stored
    [p1] = [r for r in stored[0] if r["target"] == "P1-resolution"]
    assert (p1["met"], p1["breached"], p1["open"]) == (2, 2, 0)  # A B | C LATE
    assert ("LATE", "2026-03-04T18:00:00+08:00") in stored[1]  # 10:00 UTC, in Beijing


def section(page: str, heading: str) -> str:
    """The part of a report page under one of its headings."""
    return page.split(f"<h2>{heading}</h2>")[1].split("<h2>")[0]


def table_column(part: str, heading: str) -> list[str]:
    """The cells under one heading of the first table in ``part``, as text, top to bottom."""
    table = part.split("<table>")[1].split("</table>")[0]
    rows = [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd]>(.*?)</t[hd]>", r)]
        for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)
    ]
    at = rows[0].index(heading)
    return [row[at] for row in rows[1:]]
