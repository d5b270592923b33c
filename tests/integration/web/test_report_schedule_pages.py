"""An agreement's report schedules page: the schedule with its runs, and the manager's "Run
now" button queueing a run the worker sends (a real SMTP server on loopback)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from servicelevel.jobs import worker
from servicelevel.services.identity.permissions import SYSTEM
from servicelevel.services.reporting import schedules as report_schedules
from tests.integration.api.test_report_schedule_runs import mailbox  # noqa: F401 (fixture)
from tests.integration.receivers import Mailbox
from tests.integration.web.test_pages import csrf_of, sign_in


def test_a_manager_runs_a_schedule_now_from_its_page(
    client: TestClient,
    session: Session,
    sla_in_force: int,
    mailbox: Mailbox,  # noqa: F811
) -> None:
    made = report_schedules.create_schedule(
        session,
        actor=SYSTEM,
        agreement_id=sla_in_force,
        data=report_schedules.ScheduleData(emails=["ops@example.com"], language="zh-Hans"),
    )
    session.flush()
    url = f"/agreements/{sla_in_force}/report-schedules"
    sign_in(client, "manager")
    page = client.get(url)
    assert page.status_code == 200
    assert "ops@example.com" in page.text
    assert "Not run yet." in page.text
    r = client.post(
        f"{url}/{made.id}/run", data={"csrf": csrf_of(page.text)}, follow_redirects=True
    )
    assert r.status_code == 200, r.text
    assert 'id="run-queued"' in r.text
    sessions = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")
    assert worker.run_one(sessions, "test-worker")
    [mail] = mailbox.messages
    assert mail["To"] == "ops@example.com"
    again = client.get(url).text
    assert "Not run yet." not in again
    assert "2026-11" in again
    session.refresh(made)
    assert made.last_run_at is not None


def test_a_representative_sees_the_schedules_without_the_button(
    client: TestClient, session: Session, sla_in_force: int
) -> None:
    made = report_schedules.create_schedule(
        session,
        actor=SYSTEM,
        agreement_id=sla_in_force,
        data=report_schedules.ScheduleData(emails=["ops@example.com"]),
    )
    session.flush()
    url = f"/agreements/{sla_in_force}/report-schedules"
    sign_in(client, "customer_rep")
    page = client.get(url)
    assert page.status_code == 200
    assert "Run now" not in page.text
    refused = client.post(f"{url}/{made.id}/run", data={"csrf": csrf_of(page.text)})
    assert refused.status_code == 403
    sign_in(client, "outsider")
    assert client.get(url).status_code == 404
