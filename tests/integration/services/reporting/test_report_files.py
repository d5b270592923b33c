"""Report PDFs off the request path: a published revision's PDFs are rendered once (by the
worker's job, or by the first download when that comes first) and served from storage after;
the renders are counted by the renderer itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.db.models import Job, ReportFile, ServiceReport
from servicelevel.jobs import worker
from servicelevel.reports.pdf import RENDERS
from servicelevel.services.reporting import files as report_files
from tests.integration.api.test_templates_api import pdf_text
from tests.integration.conftest import auth
from tests.integration.factories import World
from tests.integration.monitoring_fixtures import ticket

MARCH = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)


def run_worker(session: Session) -> int:
    """Run the queued jobs as the worker does (on the test's connection), how many ran."""
    sessions = sessionmaker(
        bind=session.connection(), join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    ran = 0
    while worker.run_one(sessions, "test-worker"):
        ran += 1
    session.expire_all()
    return ran


def renders(act: Callable[[], object]) -> int:
    """How many PDFs were rendered while ``act`` ran."""
    before = RENDERS["pdf"]
    act()
    return RENDERS["pdf"] - before


def publish(client: TestClient, tokens: dict[str, str], agreement_id: int) -> dict[str, int]:
    """Publish March; the revision's report ids by language."""
    staff = auth(tokens["manager"])
    made = client.post(
        f"/api/v1/agreements/{agreement_id}/reports", headers=staff, json={"period": "2026-03"}
    )
    assert made.status_code == 201, made.text
    listed = client.get(f"/api/v1/agreements/{agreement_id}/report-revisions", headers=staff)
    reports: dict[str, int] = listed.json()["items"][0]["reports"]
    return reports


def test_publishing_queues_one_job_that_renders_the_revisions_three_pdfs_once(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    ticket(session, world, "B", MARCH, 6)
    session.flush()
    run_worker(session)  # whatever activation queued
    reports = publish(client, tokens, sla_in_force)
    [job] = session.query(Job).filter_by(kind="report.pdf").all()
    assert job.status == "queued"
    assert renders(lambda: run_worker(session)) == 3
    session.refresh(job)
    assert (job.status, job.progress_done, job.progress_total) == ("done", 3, 3)
    kept = session.query(ReportFile).filter(ReportFile.report_id.in_(reports.values())).all()
    assert sorted(f.language for f in kept) == ["en", "zh-Hans", "zh-Hant"]
    rep = auth(tokens["customer_rep"])
    url = f"/api/v1/reports/{reports['en']}?format=pdf"
    got: list[Response] = []
    assert renders(lambda: got.extend(client.get(url, headers=rep) for _ in range(2))) == 0
    assert [r.status_code for r in got] == [200, 200]
    assert got[0].content == got[1].content
    assert got[0].content.startswith(b"%PDF")
    assert "P1-resolution" in pdf_text(got[1].content)[0]


def test_a_download_before_the_worker_renders_the_file_once_and_the_job_skips_it(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    ticket(session, world, "B", MARCH, 6)
    session.flush()
    run_worker(session)
    reports = publish(client, tokens, sla_in_force)
    rep = auth(tokens["customer_rep"])
    url = f"/api/v1/reports/{reports['zh-Hans']}?format=pdf"
    first = client.get(url, headers=rep)
    assert first.status_code == 200, first.text
    assert renders(lambda: client.get(url, headers=rep)) == 0  # the second from storage
    assert renders(lambda: run_worker(session)) == 2  # en and zh-Hant only
    assert renders(lambda: client.get(url, headers=rep)) == 0
    assert "P1-resolution" in pdf_text(client.get(url, headers=rep).content)[0]


def test_another_customer_gets_no_published_pdf(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    reports = publish(client, tokens, sla_in_force)
    url = f"/api/v1/reports/{reports['en']}?format=pdf"
    answer = client.get(url, headers=auth(tokens["outsider"]))
    assert (answer.status_code, answer.json()["error"]["code"]) == (404, "not_found")
    assert session.query(ReportFile).count() == 0  # nothing rendered for them


def test_when_the_worker_kept_the_file_while_a_download_rendered_it_the_kept_one_is_served(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    reports = publish(client, tokens, sla_in_force)
    report = session.get(ServiceReport, reports["en"])
    assert report is not None

    def worker_first(html: str) -> bytes:
        """A renderer during which the worker keeps its own copy of the same file."""
        session.add(
            ReportFile(
                report_id=report.id,
                agreement_id=report.agreement_id,
                language="en",
                name="kept.pdf",
                content=b"%PDF-kept",
            )
        )
        session.flush()
        return b"%PDF-late"

    found = report_files.published_pdf(
        session, actor=world.actors["customer_rep"], report_id=report.id, render=worker_first
    )
    assert (found.name, found.content) == ("kept.pdf", b"%PDF-kept")
    assert session.query(ReportFile).filter_by(report_id=report.id).count() == 1


def test_live_files_are_forgotten_after_two_days_and_published_ones_are_kept(
    client: TestClient, session: Session, world: World, tokens: dict[str, str], sla_in_force: int
) -> None:
    reports = publish(client, tokens, sla_in_force)
    asked = world.actors["customer_rep"]
    report_files.request_live(
        session, actor=asked, agreement_id=sla_in_force, period="2026-03", language="en"
    )
    run_worker(session)
    made = session.query(ReportFile).all()
    assert sorted(f.report_id is None for f in made) == [False, False, False, True]
    later = max(f.created_at for f in made)
    assert report_files.prune(session, now=later + dt.timedelta(days=1)) == 0
    assert report_files.prune(session, now=later + dt.timedelta(days=2, seconds=1)) == 1
    kept = {f.report_id for f in session.query(ReportFile).all()}
    assert kept == set(reports.values())
