"""The live report's PDF in the browser: asking for it queues a job for the worker, a page
follows the job (polling while it runs) and offers the file, which only the person who asked
can open; the published revision's PDF comes from storage."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from servicelevel.db.models import Job
from tests.integration.api.test_templates_api import pdf_text
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket
from tests.integration.services.reporting.test_report_files import publish, renders, run_worker
from tests.integration.web.page_words import codes_on, english_on, read_page
from tests.integration.web.test_pages import sign_in

MARCH = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)


def ask(client: TestClient, agreement_id: int, language: str = "en") -> str:
    """Ask for March's PDF; the address of the page that follows the job."""
    url = f"/agreements/{agreement_id}/report?period=2026-03&language={language}&format=pdf"
    answer = client.get(url, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"])


def test_the_live_pdf_is_rendered_by_the_worker_and_offered_when_ready(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    ticket(session, world, "B", MARCH, 6)
    session.flush()
    run_worker(session)
    sign_in(client, "customer_rep")
    page = ask(client, sla_in_force)
    assert page.startswith("/report-pdfs/")
    waiting = client.get(page).text
    assert "Queued" in waiting
    assert f'hx-get="{page}/status"' in waiting  # the page polls the job
    assert client.get(f"{page}/file").status_code == 409  # not ready yet
    assert renders(lambda: run_worker(session)) == 1
    status = client.get(f"{page}/status").text
    assert "Open the PDF" in status
    assert "hx-trigger" not in status  # finished: no more polling
    files = [client.get(f"{page}/file") for _ in range(2)]
    assert [f.status_code for f in files] == [200, 200]
    assert files[0].headers["content-type"] == "application/pdf"
    assert "P1-resolution" in pdf_text(files[1].content)[0]


def test_only_the_person_who_asked_sees_the_job_and_its_file(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    sign_in(client, "customer_rep")
    page = ask(client, sla_in_force)
    run_worker(session)
    sign_in(client, "manager")
    assert client.get(page).status_code == 404
    assert client.get(f"{page}/file").status_code == 404
    sign_in(client, "outsider")
    url = f"/agreements/{sla_in_force}/report?period=2026-03&format=pdf"
    assert client.get(url, follow_redirects=False).status_code == 404
    assert session.query(Job).filter_by(kind="report.pdf").count() == 1


def test_a_wrong_language_or_period_is_refused_before_anything_is_queued(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    sign_in(client, "manager")
    base = f"/agreements/{sla_in_force}/report?format=pdf"
    assert client.get(f"{base}&language=xx", follow_redirects=False).status_code == 422
    assert client.get(f"{base}&period=March", follow_redirects=False).status_code == 422
    assert session.query(Job).filter_by(kind="report.pdf").count() == 0


def test_the_job_page_reads_in_chinese(
    client: TestClient, session: Session, world: World, sla_in_force: int
) -> None:
    sign_in(client, "customer_rep")
    page = ask(client, sla_in_force, "zh-Hans")
    client.cookies.set("slm_lang", "zh_Hans")
    assert "报告的 PDF 文件" in client.get(page).text
    run_worker(session)
    done = client.get(page).text
    assert "打开 PDF 文件" in done
    read = read_page(page, done)
    typed = {"customer_rep", "customer", "rep"}  # the signed-in user's name, in the header
    assert (codes_on(read, typed), english_on(read, typed)) == ([], [])


def test_the_published_pdf_in_the_browser_comes_from_storage(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    reports = publish(client, tokens, sla_in_force)
    run_worker(session)
    sign_in(client, "customer_rep")
    url = f"/reports/{reports['zh-Hant']}?format=pdf"
    got: list[Response] = []
    assert renders(lambda: got.append(client.get(url))) == 0
    assert got[0].content.startswith(b"%PDF")
    assert "r1-zh-Hant.pdf" in got[0].headers["content-disposition"]
